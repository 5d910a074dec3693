import json

from django.core.serializers.json import DjangoJSONEncoder
from ninja.renderers import BaseRenderer


class ChineseJSONRenderer(BaseRenderer):
    """JSON with Chinese text as text, not \\u escapes: readable in logs and curl."""

    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
