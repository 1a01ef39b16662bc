"""`newsdesk doctor` as a user runs it: every part of the local setup, each failure with its fix and a non-zero exit."""

import shutil

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.doctor import Status, build_check, repack_check
from assistant.generation.cpu import cpu_flags

from .test_cpu import HASWELL, SAPPHIRE_RAPIDS

pytestmark = pytest.mark.llm


def doctor(index, **env):
    return CliRunner().invoke(cli, ["--index", str(index), "doctor"], env=env)


def test_a_sound_setup_passes_every_check_with_five_tokens_from_a_worker(seeded, tiny_model):
    result = doctor(seeded, NEWSDESK_LOCAL_MODEL_PATH=str(tiny_model))
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0].split(maxsplit=1)[1]: line for line in result.output.splitlines() if ":" in line}
    assert set(lines) == {"CPU", "llama.cpp", "weight repacking", "model file", "generation", "index"}
    assert "tokens in a worker process" in lines["generation"] and lines["generation"].lstrip().startswith("ok")
    assert "2 articles" in lines["index"] and "vectors in step" in lines["index"]
    assert "FAIL" not in result.output


def test_a_broken_model_file_and_an_index_out_of_step_fail_with_their_fixes(seeded, tmp_path):
    broken = tmp_path / "model.gguf"
    broken.write_bytes(b"not a model")
    shutil.rmtree(seeded / "chroma")
    result = doctor(seeded, NEWSDESK_LOCAL_MODEL_PATH=str(broken))
    assert result.exit_code == 1
    assert "FAIL  model file:" in result.output and "is not a GGUF file" in result.output
    assert "generation" not in result.output  # a model that cannot load is not run
    assert "FAIL  index:" in result.output and "fix: newsdesk reindex" in result.output
    assert result.output.rstrip().endswith("Error: 2 checks failed")


def test_a_build_for_a_cpu_with_more_instructions_fails_and_repacking_on_amx_is_noted():
    xeon, haswell = cpu_flags(SAPPHIRE_RAPIDS), cpu_flags(HASWELL)
    check = build_check(haswell, built=xeon)  # a .venv made on an AMX Xeon, run on an older CPU
    assert check.status is Status.FAIL and "avx512f" in check.detail and check.fix == "run ./scripts/setup.sh"
    assert build_check(xeon, built=haswell).status is Status.OK
    assert build_check(haswell, built=None).status is Status.NOTE  # a llama.cpp installed otherwise
    assert repack_check(xeon, "auto").detail == "off (the CPU has AMX)"
    assert repack_check(xeon, "on").status is Status.NOTE and repack_check(haswell, "auto").detail == "on (auto)"
