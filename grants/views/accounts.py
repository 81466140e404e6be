from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from grants.forms import LoginForm, RegisterForm
from grants.landing import landing_url
from grants.models import User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Without a `next`: staff land on their role's workspace, not on the applicant home page (issue 9).
        return landing_url(self.request.user)  # type: ignore[arg-type]


class LogoutView(auth_views.LogoutView):
    pass


@sensitive_post_parameters("password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would read anything else ("0", "home") as a view name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User.objects.create_user(
            data["email"], data["password1"], full_name=data["full_name"].strip(), language=data["language"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Ditt konto är skapat och du är inloggad."))
        return redirect(next_url or "organisation_list")
    return render(request, "registration/register.html", {"form": form, "next": next_url})
