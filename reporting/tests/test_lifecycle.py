"""An annual report's state changes only by its transitions: claimed once, ready only with its
file, failed from the queue or the build."""

import pytest
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from reporting.models import AnnualReport

pytestmark = pytest.mark.django_db
State = AnnualReport.State


@pytest.fixture
def queued() -> AnnualReport:
    return AnnualReport.objects.create(year=2025, version=1, source="page")


def test_the_state_is_never_assigned(queued):
    with pytest.raises(AttributeError):
        queued.state = State.READY
    queued.refresh_from_db()
    queued.full_clean()
    assert queued.state == State.QUEUED


def test_a_version_is_ready_only_with_its_file(queued):
    assert not can_proceed(queued.finish)  # not building yet
    queued.start()
    assert not can_proceed(queued.finish)
    with pytest.raises(TransitionNotAllowed):
        queued.finish()
    queued.file.name = "annual-reports/2025/report.pdf"
    queued.finish()
    assert (queued.state, queued.progress) == (State.READY, 100)


def test_only_a_queued_version_is_dropped_and_only_a_building_one_fails(queued):
    assert not can_proceed(queued.fail)
    queued.drop(error="No worker")
    assert queued.state == State.FAILED
    assert not can_proceed(queued.start)


def test_two_workers_never_both_claim_a_version(queued):
    mine, theirs = (AnnualReport.objects.get(pk=queued.pk) for _ in range(2))
    mine.start()
    mine.save()
    theirs.start()
    with pytest.raises(ConcurrentTransition):
        theirs.save()
