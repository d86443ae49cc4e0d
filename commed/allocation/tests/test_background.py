"""The default runner solves in a thread of the web process; the test joins that thread instead of waiting."""

from __future__ import annotations

import threading

from commed.allocation import services
from commed.allocation.models import AllocationRun, RunStatus
from commed.allocation.rules import RunRules
from commed.allocation.tests.world import build_allocation_world


def test_the_thread_runner_solves_the_run_and_records_its_progress(transactional_db, personas, settings):
    settings.ALLOCATION_RUNNER = "thread"
    world = build_allocation_world(personas)
    run = services.run_create(actor=personas.lead, cohort=world.cohort, rules=RunRules())
    worker = services.run_start(run=run)
    assert isinstance(worker, threading.Thread)
    worker.join(timeout=120)
    assert not worker.is_alive()
    run = AllocationRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.DONE
    assert run.progress == 1.0 and run.progress_label == "Finished"
    assert run.started_at is not None and run.finished_at is not None and run.started_at <= run.finished_at
    assert len(run.assignment) == len(world.students)
