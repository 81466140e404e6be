from django.urls import include, path

from grants.views import accounts, applicant, completion, organisations, pages, payment_accounts
from grants.views import grants as grant_views
from grants.views.staff import (
    budget,
    case,
    decisions,
    finance_accounts,
    finance_batches,
    finance_reconcile,
    queues,
    reviews,
    workspace,
)

urlpatterns = [
    path("", pages.home, name="home"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/activate/<uidb64>/<token>/", accounts.activate, name="account_activate"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("calls/", applicant.call_list, name="call_list"),
    path("calls/<int:pk>/", applicant.call_detail, name="call_detail"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/join/", organisations.organisation_join, name="organisation_join"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:pk>/join-requests/<int:request_pk>/",
        organisations.join_request_decide,
        name="join_request_decide",
    ),
    path("organisations/<int:pk>/signatory/", organisations.signatory_request_create, name="signatory_request_create"),
    path(
        "organisations/<int:pk>/account/",
        payment_accounts.payment_account_register_view,
        name="organisation_account",
    ),
    path("invitations/<slug:token>/", organisations.invitation_accept, name="invitation_accept"),
    path("applications/", applicant.application_list, name="application_list"),
    path("applications/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/<slug:section>/", applicant.application_section, name="application_section"),
    path("applications/<int:pk>/preview/", applicant.application_preview, name="application_preview"),
    path("applications/<int:pk>/submit/", applicant.application_submit, name="application_submit"),
    path("applications/<int:pk>/receipt/", applicant.application_receipt, name="application_receipt"),
    path("applications/<int:pk>/withdraw/", applicant.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/delete/", applicant.application_delete, name="application_delete"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        applicant.attachment_download,
        name="attachment_download",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/remove/",
        applicant.attachment_remove,
        name="attachment_remove",
    ),
    path("grants/<int:pk>/accept/", grant_views.grant_accept, name="grant_accept"),
    path("grants/<int:pk>/decline/", grant_views.grant_decline, name="grant_decline"),
    path("staff/", include(workspace.urlpatterns)),
    path("staff/", include(queues.urlpatterns)),
    path("staff/", include(case.urlpatterns)),
    path("staff/", include(reviews.urlpatterns)),
    path("staff/", include(decisions.urlpatterns)),
    path("staff/", include(finance_accounts.urlpatterns)),
    path("staff/", include(finance_batches.urlpatterns)),
    path("staff/", include(budget.urlpatterns)),
    path("staff/", include(finance_reconcile.urlpatterns)),
    path("", include(completion.urlpatterns)),
]

from documents import views as documents_views  # noqa: E402  (appended: issued documents, DESIGN.md §6)

urlpatterns += [path("", include(documents_views.urlpatterns))]
