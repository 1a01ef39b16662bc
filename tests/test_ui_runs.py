"""A question's run for the browser app, without a browser or an index: a scripted chat model stands in for the
model, since the test is about our own logic around it (who waits for the model, and what Stop ends)."""

import itertools
import time

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant import PassagesFound, TextDelta
from assistant.ui.line import ModelLine
from assistant.ui.runs import Ended, Failed, Run, Waiting, Writing

WORDS = "one two three four five six seven eight"


class Slow(GenericFakeChatModel):
    pause: float = 0.0
    written: int = 0

    def _stream(self, *args, **kwargs):
        for chunk in super()._stream(*args, **kwargs):
            time.sleep(self.pause)
            self.written += 1
            yield chunk


def model(pause: float = 0.0) -> Slow:
    return Slow(messages=itertools.cycle([AIMessage(content=WORDS)]), pause=pause)


def answer(llm=None):
    """What ``Assistant.stream`` yields: passages, then (when ``llm`` is asked) its text once it is all written, as
    a checked sentence comes only once the model has written it whole."""
    yield PassagesFound([])
    if llm is not None:
        yield TextDelta("".join(str(chunk.content) for chunk in llm.stream("question")))


def ended(steps: list) -> bool:
    return bool(steps) and isinstance(steps[-1], Ended)


def steps_until(run: Run, done, seconds: float = 10) -> list:
    seen: list = []
    deadline = time.monotonic() + seconds
    while not done(seen) and time.monotonic() < deadline:
        step = run.next_step()
        if step is None:
            time.sleep(0.01)
        else:
            seen.append(step)
    assert done(seen), f"gave up after {seen}"
    return seen


def test_a_model_call_waits_for_its_turn_in_line_and_says_where_it_waits():
    line = ModelLine()
    warming = line.join("getting ready")
    run = Run(answer(model()), line, "answering").start()
    seen = steps_until(run, lambda s: Waiting(1) in s)
    assert not any(isinstance(s, TextDelta) for s in seen)
    time.sleep(0.2)
    assert run.next_step() is None  # still held
    line.leave(warming)
    seen = steps_until(run, ended)
    assert isinstance(seen[0], Writing) and "".join(s.text for s in seen if isinstance(s, TextDelta)) == WORDS
    assert line.holder() is None


def test_an_answer_that_needs_no_model_never_waits_for_it():
    line = ModelLine()
    line.join("getting ready")  # held all along
    run = Run(answer(), line, "answering").start()
    seen = steps_until(run, ended, seconds=2)
    assert [type(s) for s in seen] == [PassagesFound, Ended]
    assert line.waiting() == 0  # its place was given up


def test_stop_ends_the_models_writing_at_the_next_word_not_the_next_sentence_and_frees_the_model():
    line = ModelLine()
    llm = model(pause=0.2)
    run = Run(answer(llm), line, "answering").start()
    steps_until(run, lambda s: Writing() in s)
    while not llm.written:
        time.sleep(0.01)
    run.stop()
    seen = steps_until(run, ended, seconds=2)
    assert not any(isinstance(s, Failed) for s in seen)  # a stop is no failure
    assert llm.written <= 3  # of the 15 pieces (8 words, 7 spaces) the reply has
    assert line.holder() is None


def test_stop_while_waiting_gives_up_the_place_in_line():
    line = ModelLine()
    holder = line.join("answering")
    llm = model()
    run = Run(answer(llm), line, "answering").start()
    steps_until(run, lambda s: Waiting(1) in s)
    run.stop()
    steps_until(run, ended, seconds=2)
    assert line.waiting() == 0 and line.holder() is holder and llm.written == 0


def test_a_failure_is_a_step_with_its_error():
    def broken():
        yield PassagesFound([])
        raise RuntimeError("the model server went away")

    run = Run(broken(), ModelLine(), "answering").start()
    seen = steps_until(run, ended, seconds=2)
    assert str(next(s for s in seen if isinstance(s, Failed)).error) == "the model server went away"
