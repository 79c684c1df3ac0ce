// The API documentation (Swagger UI), bundled from npm and served by Songda itself: it works on a court
// intranet with no way out. Calls tried from the page carry this tab's login token when there is one.

import 'swagger-ui-dist/swagger-ui.css';
import '../console/docs.css';

import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';

import { showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { currentToken, currentUser } from '../lib/session.js';

const user = currentUser();
if (user && currentToken()) {
  showUser(user);
  showNav(user, '/docs');
}

SwaggerUI({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'none',
  defaultModelsExpandDepth: 0,
  requestInterceptor: (request) => {
    const token = currentToken();
    if (token && !request.headers.Authorization) request.headers.Authorization = `Bearer ${token}`;
    return request;
  },
});
