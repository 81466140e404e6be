from grants.models import ApplicationState
from grants.services.applications import application_submit
from workflows.models import CaseEvent


def test_submit_assigns_number_and_logs(draft, applicant, now):
    application = application_submit(actor=applicant, application=draft, now=now)
    assert application.state == ApplicationState.SUBMITTED
    assert application.reference_number == f"{now.year}-00001"
    assert CaseEvent.objects.filter(application=application, event="application.submitted").count() == 1
    assert application.versions.count() == 1
