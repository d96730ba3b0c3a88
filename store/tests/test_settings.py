"""Platform settings fail loudly, naming the variable and what it accepts."""

import pytest
from probeops.settings import InvalidSetting
from probeops_store.settings import load


def test_embedded_profile_is_the_default_with_sqlite_in_the_data_dir(tmp_path):
    settings = load({"PROBEOPS_DATA_DIR": str(tmp_path)})

    assert settings.embedded
    assert settings.database_url == f"sqlite:///{tmp_path / 'probeops.sqlite3'}"


def test_embedded_profile_allows_loopback_for_the_demo():
    settings = load({"PROBEOPS_TARGET_ALLOWLIST": "192.0.2.0/24"})

    opened = {str(network) for network in settings.policy.allow}
    assert opened == {"192.0.2.0/24", "127.0.0.0/8", "::1/128"}


def test_production_profile_allows_only_the_configured_ranges():
    settings = load(
        {
            "PROBEOPS_PROFILE": "production",
            "PROBEOPS_SECRET_KEY": "x" * 40,
            "PROBEOPS_TARGET_ALLOWLIST": "192.0.2.0/24",
        }
    )

    assert [str(network) for network in settings.policy.allow] == ["192.0.2.0/24"]
    assert settings.database_url.startswith("postgresql://")


@pytest.mark.parametrize(
    ("environ", "named", "allowed"),
    [
        ({"PROBEOPS_PROFILE": "cloud"}, "PROBEOPS_PROFILE", "embedded or production"),
        ({"PROBEOPS_JOB_TIMEOUT": "-4"}, "PROBEOPS_JOB_TIMEOUT", "positive"),
        ({"PROBEOPS_LISTEN": "localhost"}, "PROBEOPS_LISTEN", "HOST:PORT"),
        (
            {"PROBEOPS_TARGET_ALLOWLIST": "10.0.0.0/33"},
            "PROBEOPS_TARGET_ALLOWLIST",
            "comma separated CIDRs",
        ),
        (
            {"PROBEOPS_DATABASE_URL": "mysql://db/x"},
            "PROBEOPS_DATABASE_URL",
            "postgresql://",
        ),
        ({"PROBEOPS_PROFILE": "production"}, "PROBEOPS_SECRET_KEY", "at least 32"),
        ({"PROBEOPS_SECRET_KEY": "short"}, "PROBEOPS_SECRET_KEY", "at least 32"),
        ({"PROBEOPS_JOB_RETRIES": "-1"}, "PROBEOPS_JOB_RETRIES", "from 0"),
    ],
)
def test_bad_value_names_the_variable_and_the_allowed_values(environ, named, allowed):
    with pytest.raises(InvalidSetting) as caught:
        load(environ)

    assert named in str(caught.value)
    assert allowed in str(caught.value)
