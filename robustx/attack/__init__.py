"""Attacks with the model in the loop: transformation (candidates listed from a recipe),
constraints, goal function and search method (docs/attacks.md).

Usage from Python::

    attack = build_attack(AttackSpec("wir", "char.random_edit", {}), task)
    records = attack_records(attack, task, "de", seed=0, examples=examples, oracle=Oracle(...))
"""
