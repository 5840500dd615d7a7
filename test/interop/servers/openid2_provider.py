"""An OpenID 2.0 provider for the interop tests: python-openid's ``openid.server.server.Server``
(Debian's python3-openid) with a FileOpenIDStore in a temp dir, on 127.0.0.1.

Every checkid request is approved at once. With identifier_select the identity is the user set by
``POST /test/user?name=…`` (default ``alice``); SREG and AX fetch requests are answered with that
user's attributes. Identity pages:

- ``/id/alice`` answers Yadis: an ``X-XRDS-Location`` header pointing at ``/xrds/alice``;
- ``/id/bob`` answers HTML discovery: ``<link rel="openid2.provider">`` only;
- ``/id/mallory`` is discovered to belong to another OP endpoint (``/other-op``), though this OP
  asserts it anyway (the relying party must refuse it).

Prints ``{"port": N}`` once it listens and exits when stdin closes (``_serve.py``).
"""
import tempfile
from html import escape
from urllib.parse import parse_qsl

from openid.extensions import ax, sreg
from openid.server.server import Server
from openid.store.filestore import FileOpenIDStore

from _serve import serve

USERS = {
    'alice': {'nickname': 'alice', 'email': 'alice@example.test', 'fullname': 'Alice Liddell'},
    'bob': {'nickname': 'bob', 'email': 'bob@example.test', 'fullname': 'Bob Builder'},
    'mallory': {'nickname': 'mallory', 'email': 'mallory@example.test', 'fullname': 'Mallory'},
}
AX_TYPES = {
    'http://axschema.org/contact/email': 'email',
    'http://axschema.org/namePerson': 'fullname',
    'http://axschema.org/namePerson/friendly': 'nickname',
}

state = {'user': 'alice', 'base': None, 'server': None}
store = FileOpenIDStore(tempfile.mkdtemp(prefix='oauthkit-openid2-'))


def on_port(port):
    state['base'] = 'http://127.0.0.1:%d' % port
    state['server'] = Server(store, state['base'] + '/op')


def respond(start, status, body, headers=()):
    data = body.encode('utf-8') if isinstance(body, str) else body
    start(status, list(headers) + [('Content-Length', str(len(data)))])
    return [data]


def xrds(endpoint, local_id):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">\n'
        '<XRD><Service priority="0">\n'
        '<Type>http://specs.openid.net/auth/2.0/signon</Type>\n'
        '<URI>%s</URI>\n<LocalID>%s</LocalID>\n'
        '</Service></XRD></xrds:XRDS>\n' % (escape(endpoint), escape(local_id))
    )


def answer_checkid(request, user):
    identity = '%s/id/%s' % (state['base'], user)
    response = request.answer(True, identity=identity, claimed_id=identity)
    data = USERS[user]
    sreg_request = sreg.SRegRequest.fromOpenIDRequest(request)
    if sreg_request.wereFieldsRequested():
        response.addExtension(sreg.SRegResponse.extractResponse(sreg_request, data))
    ax_request = ax.FetchRequest.fromOpenIDRequest(request)
    if ax_request is not None:
        ax_response = ax.FetchResponse(request=ax_request)
        for type_uri in ax_request.requested_attributes:
            if type_uri in AX_TYPES:
                ax_response.addValue(type_uri, data[AX_TYPES[type_uri]])
        response.addExtension(ax_response)
    return response


def app(environ, start):
    path = environ.get('PATH_INFO', '')
    method = environ['REQUEST_METHOD']
    query = dict(parse_qsl(environ.get('QUERY_STRING', ''), keep_blank_values=True))
    base = state['base']
    if path == '/test/user' and method == 'POST':
        state['user'] = query['name']
        return respond(start, '204 No Content', '')
    if path.startswith('/xrds/'):
        user = path[len('/xrds/'):]
        endpoint = base + ('/other-op' if user == 'mallory' else '/op')
        return respond(start, '200 OK', xrds(endpoint, '%s/id/%s' % (base, user)),
                       [('Content-Type', 'application/xrds+xml')])
    if path.startswith('/id/'):
        user = path[len('/id/'):]
        if user not in USERS:
            return respond(start, '404 Not Found', 'no such user')
        headers = [('Content-Type', 'text/html; charset=utf-8')]
        if user != 'bob':
            headers.append(('X-XRDS-Location', '%s/xrds/%s' % (base, user)))
        endpoint = base + ('/other-op' if user == 'mallory' else '/op')
        page = ('<html><head><link rel="openid2.provider" href="%s"></head>'
                '<body>%s</body></html>' % (escape(endpoint), escape(user)))
        return respond(start, '200 OK', page, headers)
    if path != '/op':
        return respond(start, '404 Not Found', 'not found')
    if method == 'POST':
        length = int(environ.get('CONTENT_LENGTH') or 0)
        query.update(parse_qsl(environ['wsgi.input'].read(length).decode('utf-8'), keep_blank_values=True))
    server = state['server']
    request = server.decodeRequest(query)
    if request is None:
        return respond(start, '200 OK', 'This is an OpenID 2.0 provider endpoint.')
    if request.mode in ('checkid_setup', 'checkid_immediate'):
        user = state['user'] if request.idSelect() else request.identity.rsplit('/', 1)[-1]
        response = answer_checkid(request, user) if user in USERS else request.answer(False)
    else:
        response = server.handleRequest(request)
    web = server.encodeResponse(response)
    headers = [(k, v) for k, v in web.headers.items()]
    status = {200: '200 OK', 302: '302 Found', 400: '400 Bad Request'}.get(web.code, '%d Status' % web.code)
    if web.code == 200 and not any(k.lower() == 'content-type' for k, _ in headers):
        headers.append(('Content-Type', 'text/plain; charset=utf-8'))
    return respond(start, status, web.body or '', headers)


if __name__ == '__main__':
    serve(app, on_port)
