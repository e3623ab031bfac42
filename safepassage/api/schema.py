"""How the OpenAPI schema describes our token (drf-spectacular extension, loaded by the app)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "safepassage.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token sp_…` — made on your account page, shown once, stored only as a hash."}
