from django.core.files.uploadedfile import SimpleUploadedFile


def test_probe(client, draft, applicant):
    applicant.refresh_from_db(); client.force_login(applicant)
    url = f"/applications/{draft.pk}/edit/attachments/"
    r = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"", content_type="application/pdf")}); print(r.status_code, r.headers.get("Location")); print(r.content[:3000])
    print("EMPTY", r.status_code, [e for e in r.context["form"].errors.items()])
    r = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"\x89PNG\r\n", content_type="application/pdf")})
    print("PNG", r.status_code, [e for e in r.context["form"].errors.items()])
    for path in ["/invitations/%00/", "/applications/99999999999999999999999999/", "/invitations/" + "x"*300 + "/"]:
        try:
            r = client.get(path)
            print(path[:40], r.status_code)
        except Exception as e:
            print(path[:40], "EXC", repr(e))
    url = f"/applications/{draft.pk}/edit/budget/"
    r = client.post(url, {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "form-0-category": "STAFF", "form-0-description": "x", "form-0-amount": "450 000", "form-1-category": "", "form-1-description": "", "form-1-amount": "", "co_financing": "0", "save": "1"})
    print("BUDGET empty row", r.status_code, r.context and r.context["formset"].errors, r.context and r.context["formset"].non_form_errors())
    print(r.content.decode()[:0])
    r = client.post(url, {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-category": "STAFF", "form-0-description": "x", "form-0-amount": "450 000", "co_financing": "0", "save": "1", "add_line": "1"})
    import re
    print(re.findall(r'<input[^>]*name="form-[^"]*"[^>]*>', r.content.decode()))
    print(re.findall(r'<select[^>]*name="form-[^"]*".*?</select>', r.content.decode(), re.S)[:1])
