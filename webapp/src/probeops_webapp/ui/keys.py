"""API keys: create (the key shown once), list and revoke."""

from __future__ import annotations

import marshmallow as ma
from flask import redirect, render_template, request, url_for
from probeops_store.models import Role

from probeops_webapp.access import SCOPES, allow
from probeops_webapp.errors import InvalidRequest
from probeops_webapp.resources import api_keys
from probeops_webapp.ui.blueprint import bp


@bp.route("/keys", methods=["GET", "POST"])
@allow(Role.VIEWER, keys=False)
def keys():
    """Your keys, and a form for a new one."""
    if request.method == "GET":
        return _page({}, None, {})
    sent = {
        "name": request.form.get("name", "").strip(),
        "scopes": request.form.getlist("scopes"),
    }
    if request.form.get("expires_at", "").strip():
        sent["expires_at"] = _utc(request.form["expires_at"].strip())
    try:
        created = api_keys.issue_key(api_keys.NewKeySchema().load(sent))
    except ma.ValidationError as error:
        return _page(error.messages, None, sent), 422
    except InvalidRequest as error:
        return _page(error.errors, None, sent), 422
    return _page({}, created, {}), 201


def _utc(text: str) -> str:
    return text if text.endswith("Z") or "+" in text else text + "+00:00"


@bp.route("/keys/<int:key_id>/revoke", methods=["POST"])
@allow(Role.VIEWER, keys=False)
def revoke_key(key_id: int):
    """Revoke at once; the key stops working with its next request."""
    api_keys.revoke(key_id)
    return redirect(url_for("ui.keys"))


def _page(errors: dict, created: dict | None, sent: dict) -> str:
    return render_template(
        "ui/keys.html",
        keys=api_keys.own_keys(),
        scopes=SCOPES,
        errors=errors,
        created=created,
        sent=sent,
    )
