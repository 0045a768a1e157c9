"""Sign-in events go to the audit log (SPEC §9). Connected in RolloutConfig.ready()."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rollout.models import Province
from rollout.selectors.units import home_province_forget
from rollout.services.audit import Action, audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(Action.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(Action.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username identifies an account, not a citizen; the password is never kept.
    audit_record(Action.LOGIN_FAILED, request=request, detail={"username": str(credentials.get("username", ""))[:150]})


@receiver([post_save, post_delete], sender=Province)
def _province_changed(sender, **kwargs) -> None:
    home_province_forget()  # the cached name of the home province may be this row's
