from django import forms

from accounts.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "reminder_emails", "language"]
