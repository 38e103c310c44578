"""allauth's forms in the NHS service manual's words.

Kept apart from fellowship.forms, which allauth imports for ACCOUNT_SIGNUP_FORM_CLASS while its own
forms module loads: importing allauth's forms there would be circular.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form in the NHS service manual's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "We will send you a link to confirm it."


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
