"""`jit(model, **options)` checks every option at once, naming it, its value and the rule."""

import os

import pytest
import torch
from litho.compiler import jit
from litho.compiler.errors import LithoError
from litho.compiler.options import CodeOptions, DebugOptions, Options, make_options


def model(x):
    return x + 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"strict": "no"}, r"option strict='no' \(str\) .* must be True or False"),
        ({"verify": 1}, r"option verify=1 \(int\) .* must be True or False"),
        ({"time_passes": None}, r"option time_passes=None \(NoneType\) .* True or False"),
        (
            {"max_specializations": "3"},
            r"option max_specializations='3' \(str\) .* must be an int of at least 1",
        ),
        (
            {"max_specializations": True},
            r"option max_specializations=True \(bool\) .* must be an int of at least 1",
        ),
        (
            {"max_specializations": 0},
            r"option max_specializations=0 \(int\) .* must be an int of at least 1",
        ),
        ({"target": "gpu"}, r"option target='gpu' \(str\) .* must be one of \('cpu',\)"),
        ({"freeze_weights": "yes"}, r"option freeze_weights='yes' \(str\) .* True or False"),
        ({"autotune": 1}, r"option autotune=1 \(int\) .* must be True or False"),
        ({"dump_ir": 3}, r"option dump_ir=3 \(int\) .* must be a folder path"),
    ],
)
def test_jit_rejects_a_bad_option_value_at_once(options, message):
    with pytest.raises(LithoError, match=message):
        jit(model, **options)


def test_dump_ir_under_a_regular_file_is_rejected_at_jit_time(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    folder = blocker / "dumps"
    with pytest.raises(LithoError, match=r"option dump_ir=.*dumps.*cannot create or write"):
        jit(model, dump_ir=str(folder))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_dump_ir_in_a_read_only_folder_is_rejected_at_jit_time(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(LithoError, match="option dump_ir=.*cannot create or write"):
            jit(model, dump_ir=str(tmp_path / "dumps"))
    finally:
        tmp_path.chmod(0o700)


def test_dump_ir_folder_is_created_by_jit(tmp_path):
    folder = tmp_path / "a" / "b"
    jit(model, dump_ir=folder)
    assert folder.is_dir()


def test_dump_ir_from_the_environment_names_the_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("LITHO_DUMP_IR", str(blocker / "dumps"))
    with pytest.raises(LithoError, match=r"\$LITHO_DUMP_IR="):
        jit(model)


def test_good_options_are_kept_and_hashable():
    options = make_options(strict=True, max_specializations=2, verify=False, dump_ir=None)
    expected = Options(
        CodeOptions(), DebugOptions(dump_ir=None, verify=False), strict=True, max_specializations=2
    )
    assert options == expected
    assert hash(options) == hash(expected)


def test_only_code_options_key_the_code():
    plain = make_options(dump_ir=None)
    debugging = make_options(verify=False, time_passes=True, strict=True, dump_ir=None)
    assert plain.code == debugging.code
    assert hash(plain.code) == hash(debugging.code)
    assert plain != debugging
    assert make_options(freeze_weights=True, dump_ir=None).code != plain.code


def test_torch_compile_backend_checks_options_too():
    compiled = torch.compile(model, backend="litho", options={"strict": "no"})
    # Dynamo wraps the backend's error in its own BackendCompilerFailed
    with pytest.raises(Exception, match=r"LithoError: option strict='no' \(str\)"):
        compiled(torch.ones(3))
