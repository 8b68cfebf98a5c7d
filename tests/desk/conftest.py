import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.fixture
def staff(db, django_user_model):
    """A staff member per editorial group."""
    call_command("setup_groups", stdout=io.StringIO())

    def member(group: str):
        user = django_user_model.objects.create_user(
            username=group.replace(" ", "-"), password="p" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return member


def review_data(response) -> dict:
    """The desk's review form as the browser submits it, unchanged."""
    data = {"row": []}
    source_form = response.context["source_form"]
    for name in source_form.fields:
        value = source_form[name].value()
        data[name] = value.isoformat() if hasattr(value, "isoformat") else (value or "")
    for key, form, _ in response.context["rows"]:
        data["row"].append(key)
        for name in form.fields:
            value = form[name].value()
            field = form.add_prefix(name)
            if name in ("include", "publish"):
                if value:
                    data[field] = "on"
            elif isinstance(value, list):
                data[field] = [str(v) for v in value]
            elif hasattr(value, "isoformat"):
                data[field] = value.isoformat()
            elif value is not None:
                data[field] = value
    return data
