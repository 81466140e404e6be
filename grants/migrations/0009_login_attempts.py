"""Attempts counted for throttling logins, password resets and registrations (grants.services.throttle)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0008_organisation_log_and_requests'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('LOGIN', 'Inloggning'), ('PASSWORD_RESET', 'Återställning av lösenord'), ('REGISTER', 'Registrering')], max_length=20, verbose_name='typ')),
                ('account', models.CharField(max_length=254, verbose_name='konto')),
                ('client_address', models.CharField(max_length=64, verbose_name='klientadress')),
                ('attempted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='tidpunkt')),
            ],
            options={
                'verbose_name': 'inloggningsförsök',
                'verbose_name_plural': 'inloggningsförsök',
                'indexes': [models.Index(fields=['kind', 'account', 'attempted_at'], name='authattempt_account'), models.Index(fields=['kind', 'client_address', 'attempted_at'], name='authattempt_client')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['LOGIN', 'PASSWORD_RESET', 'REGISTER'])), name='authattempt_kind_valid')],
            },
        ),
    ]
