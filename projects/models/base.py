"""What the projects app adds to the domain-free model base of ``jiaxian.models``:
``ProjectCodeMixin``, the national investment project code that key projects, reserves and
(in ``investment``) attraction projects carry, and ``KeyProjectPart``, the base of what a key
project's record is made of besides the project itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiaxian.models import TrackedModel

from .. import validation


class ProjectCodeMixin(models.Model):
    """The optional national investment project code (投资项目统一代码): unique when present,
    stored as null when absent so that many records may lack one."""

    project_code = models.CharField(
        _("national project code"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        validators=[validation.validate_project_code],
        help_text=_("24 characters, NNNN-NNNNNN-NN-NN-NNNNNX; leave blank if the project has none yet."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Also for saves that skip validation: a blank code stored as "" would clash with the next.
        self.normalise_project_code()
        super().save(*args, **kwargs)

    def normalise_project_code(self) -> None:
        if self.project_code is not None:
            self.project_code = self.project_code.strip().upper() or None

    def clean_fields(self, exclude=None):
        self.normalise_project_code()
        super().clean_fields(exclude=exclude)


class KeyProjectPart(TrackedModel):
    """A part of a key project's record (an annual listing, a milestone, a monthly progress
    report, a problem), with a ``project`` foreign key to it. Its key project's department owns
    it, whatever department it names itself (``projects.access``)."""

    owner_department = "project__department"

    class Meta:
        abstract = True
