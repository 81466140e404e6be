from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A task worker (`manage.py run_worker`) that says it is alive: `beat_at` is renewed every few seconds
    while the process lives. A RUNNING task whose worker has not beaten within the lease is taken to be
    orphaned and is queued again (grants/worker.py)."""

    worker_id = models.CharField(primary_key=True, max_length=64, verbose_name=_("arbetsprocessens id"))
    hostname = models.CharField(max_length=255, blank=True, verbose_name=_("dator"))
    pid = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("process-id"))
    started_at = models.DateTimeField(verbose_name=_("startad"))
    beat_at = models.DateTimeField(verbose_name=_("senaste livstecken"))

    class Meta:
        verbose_name = _("arbetsprocess")
        verbose_name_plural = _("arbetsprocesser")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
