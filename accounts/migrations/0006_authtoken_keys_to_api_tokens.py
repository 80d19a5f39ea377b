"""Every key of rest_framework.authtoken becomes an ApiToken named "default": the same key keeps working (its
SHA-256 digest is kept, not the key), and the plain keys are removed from the old table."""

import hashlib

from django.db import migrations


def keys_to_api_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    moved = [
        ApiToken(
            user_id=token.user_id,
            name="default",
            prefix=token.key[:8],
            digest=hashlib.sha256(token.key.encode()).hexdigest(),
            scope="full",
            created_at=token.created,
        )
        for token in Token.objects.all().iterator()
    ]
    ApiToken.objects.bulk_create(moved, batch_size=1000)
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(keys_to_api_tokens, migrations.RunPython.noop)]
