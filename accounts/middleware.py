from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's language is the one on their account (chosen in the header or preferences).

    Comes after LocaleMiddleware (which reads the cookie or the browser's languages for visitors)
    and AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
