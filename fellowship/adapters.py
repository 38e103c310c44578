"""django-allauth hooks: every new account starts as an applicant, and account e-mails (confirm
your address, reset your password) go through the outbox like every other e-mail."""

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from .enums import Role
from .hooks import first_resume_url
from .models import RoleGrant
from .notifications import send_rendered


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        if commit:
            with transaction.atomic():
                user.save()
                # Anyone may apply; other roles are given by faculty.
                RoleGrant.objects.create(user=user, role=Role.APPLICANT)
        return user

    def get_login_redirect_url(self, request):
        """Back to unfinished work: with no explicit `next`, an app may name where to resume.

        After a session expires mid-application, signing in again lands on the step they were on.
        """
        if not (request.GET.get("next") or request.POST.get("next")):
            url = first_resume_url(request.user)
            if url:
                return url
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        """allauth renders the message; the outbox sends it, so that it survives a broker or
        mail server outage like every other e-mail."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        full = {"request": request, "email": email, "current_site": get_current_site(request)}
        message = self.render_mail(template_prefix, email, {**full, **context})
        send_rendered(
            f"account:{template_prefix.rsplit('/', 1)[-1]}",
            to=list(message.to),
            subject=str(message.subject),
            body=str(message.body),
        )
