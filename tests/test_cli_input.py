"""What a user types or sets wrongly is said in one line naming it, with exit code 2 and no traceback. Run in
this process through click's runner: a new process for each would spend seconds loading the embedder."""

import pytest
from click.testing import CliRunner

from assistant.cli import cli


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["ask", ""], {}, "the question is empty"),
        (["ask", "   "], {}, "the question is empty"),
        (["ask", "why " * 5000], {}, "too long for the model's context"),
        (["ask", "What happened?", "--after", "not-a-date"], {}, "--after: 'not-a-date' is not a date"),
        (["search", "economy", "--after", "2025-99-99"], {}, "--after: '2025-99-99' is not a date"),
        (["search", "economy", "--before", "soon"], {}, "--before: 'soon' is not a date"),
        (["search", "economy", "-k", "0"], {}, "-k: 0"),
        (["search", "economy", "-k", "-1"], {}, "-k: -1"),
        (["docs", "list"], {"NEWSDESK_MAX_FILE_MB": "0.5"}, "NEWSDESK_MAX_FILE_MB='0.5'"),
        (["docs", "list"], {"NEWSDESK_TOP_K": "many"}, "NEWSDESK_TOP_K='many'"),
        (["docs", "list"], {"NEWSDESK_TOP_K": "0"}, "NEWSDESK_TOP_K='0': Input should be greater than 0"),
    ],
)
def test_input_errors_are_one_line_with_exit_code_2(tmp_path, args, env, named):
    result = CliRunner().invoke(cli, ["--index", str(tmp_path / "index"), *args], env=env)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.strip().count("\n") == 0 and named in result.stderr, result.stderr
