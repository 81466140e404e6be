from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from grants import account_mail
from grants.forms import LoginForm, RegisterForm
from grants.forms_accounts import PasswordResetForm, SetPasswordForm, throttled_message
from grants.landing import landing_url
from grants.models import AuthAttemptKind, User
from grants.services import throttle
from grants.services.accounts import account_activate, account_register, password_reset_request


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Without a `next`: staff land on their role's workspace, not on the applicant home page (issue 9).
        return landing_url(self.request.user)  # type: ignore[arg-type]


class LogoutView(auth_views.LogoutView):
    pass


def _next_path(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would read anything else ("0", "home") as a view name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        return ""
    return next_url


@sensitive_post_parameters("password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    next_url = _next_path(request)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            throttle.attempt_begin(kind=AuthAttemptKind.REGISTER, typed=data["email"], request=request)
        except throttle.Throttled as exc:
            form.add_error(None, throttled_message(AuthAttemptKind.REGISTER, exc.until))
        else:
            account_register(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password1"],
                language=data["language"],
                next_url=next_url,
                now=timezone.now(),
            )
            return render(request, "registration/register_sent.html", {"email": data["email"]})
    return render(request, "registration/register.html", {"form": form, "next": next_url})


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the activation e-mail: confirm the address and log in. A used or broken link says so."""
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or user.is_active or not account_mail.activation_token.check_token(user, token):
        return render(request, "registration/activate_invalid.html", status=400)
    account_activate(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Din e-postadress är bekräftad och du är inloggad."))
    return redirect(_next_path(request) or "organisation_list")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The same answer whether or not the address has an account; throttled."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def get_form(self, form_class=None):  # type: ignore[no-untyped-def]
        form = super().get_form(form_class)
        form.request = self.request
        return form

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:  # type: ignore[override]
        password_reset_request(email=form.cleaned_data["email"])
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
