"""The pytest plugin's parts without a pytest run: options to workers, crashed workers, and
what a failed item prints."""
import json
from types import SimpleNamespace

import pytest

from conformance.pytest_plugin import ConformanceSession, RunOptions, failure_message
from conformance.pytest_plugin.scheduling import pytest_configure_node, pytest_handlecrashitem
from conformance.pytest_plugin.session import _SESSION
from conformance.records import Record, Status
from conformance.report.schema import PAIRS


def controller(options):
    session = ConformanceSession(options, command="python -m conformance run")
    session.partial_dir = "/tmp/partials"
    config = SimpleNamespace(stash=pytest.Stash())
    config.stash[_SESSION] = session
    return session, config


def test_a_worker_gets_the_controllers_options_as_plain_values():
    options = RunOptions(target="torch", cases="tests.conformance.sample_cases",
                         json_path="r.json", timeout_s=1.5, strict=True, want_cuda=False)
    session, config = controller(options)
    node = SimpleNamespace(config=config, workerinput={})
    pytest_configure_node(node)
    sent = json.loads(json.dumps(node.workerinput))        # what crosses to the worker
    assert sent["conformance_partials"] == "/tmp/partials"
    worker = ConformanceSession.for_config(SimpleNamespace(workerinput=sent))
    assert worker.options == options and worker.command is None


def test_a_case_that_kills_its_worker_is_a_crash_on_every_pair():
    session, config = controller(RunOptions(target="torch"))
    report = SimpleNamespace(node=SimpleNamespace(config=config,
                                                  gateway=SimpleNamespace(id="gw1")))
    pytest_handlecrashitem("tests.cases::faults::kills[x][target~torch-cpu]", report, None)
    assert sorted(session.crashed) == sorted(f"faults::kills[x][{pair}]" for pair in PAIRS)
    record = session.crashed["faults::kills[x][torch-cuda~torch-cpu]"]
    assert (record.status, record.param_id, record.left) == (Status.CRASH, "x", "torch-cuda")
    assert record.reason == "worker gw1 died while running the case"


def test_failure_message_names_each_differing_observable():
    observables = [{"name": f"y{i}", "kind": "tensor", "status": "diverge", "detail": "off"}
                   for i in range(12)] + [{"name": "z", "kind": "text", "status": "exact"}]
    record = Record.for_id("a::b[target~torch-cpu]", status=Status.DIVERGE,
                           reason="differs: y0", observables=observables,
                           tracebacks={"left": "Traceback\nValueError: no"})
    lines = failure_message(record).splitlines()
    assert lines[0] == "a::b[target~torch-cpu]: diverge (differs: y0)"
    assert lines[1:3] == ["  y0 [tensor]: off", "  y1 [tensor]: off"]
    assert "  … and 2 more" in lines and not any("z [text]" in line for line in lines)
    assert "  uncaught on the left lane:" in lines and "    ValueError: no" in lines
