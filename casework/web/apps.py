from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casework.web"
    label = "web"

    def ready(self):
        # Every app's admin module has been imported by now (django.contrib.admin comes first).
        from django.contrib import admin

        from casework.web.admin_audit import audit_admin_site

        audit_admin_site(admin.site)
