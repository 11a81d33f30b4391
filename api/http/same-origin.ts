import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

/**
 * Cross-site request forgery defence (R4), in two independent layers, because a session cookie
 * with SameSite=Lax alone still lets a same-site page or an old browser post with it:
 *
 * 1. Same origin. A state-changing request that says where it comes from — Fetch Metadata
 *    (`Sec-Fetch-Site`), then `Origin`, then `Referer` — must come from this site's own origin
 *    (the Host it was sent to, or one listed in ALLOWED_ORIGINS). Clients that send none of
 *    them (curl, scripts, the tests) are not browsers and carry no victim's cookie.
 * 2. No "simple" bodies. A page can make a browser send `text/plain`, form-encoded or multipart
 *    bodies anywhere without asking; `application/json` needs a CORS preflight, which this API
 *    never grants. So JSON routes refuse every other content type (415), and uploads, whose
 *    body is the file itself in any type, must carry the `X-Requested-With` header, which also
 *    needs a preflight.
 */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Routes whose body is raw bytes, not JSON; they require X-Requested-With instead. */
const RAW_BODY_ROUTES: RegExp[] = [/^\/api\/files\/?$/, /^\/api\/[a-z-]+\/import\/?$/];

const csrf = (reason: string) => new HttpError(403, 'cross_site_request', `Refused as a possible cross-site request: ${reason}`, [{ field: 'headers', reason }]);

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}`.toLowerCase();
  } catch {
    return null;
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return Boolean(req.headers['transfer-encoding']) || (length !== undefined && length !== '0');
}

export function sameOriginOnly(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins.map((o) => originOf(o)).filter((o): o is string => o !== null));
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`.toLowerCase();
    const isAllowed = (origin: string | null) => origin !== null && (origin === own || allowed.has(origin));

    const site = req.get('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') {
      // A listed origin (e.g. the UI's dev server on another port) is "same-site", not "same-origin".
      if (!isAllowed(originOf(req.get('origin') ?? ''))) return next(csrf(`Sec-Fetch-Site is ${site}`));
    }
    const origin = req.get('origin');
    if (origin !== undefined) {
      if (!isAllowed(originOf(origin))) return next(csrf(`Origin ${origin.slice(0, 100)} is not this site`));
    } else {
      const referer = req.get('referer');
      if (referer !== undefined && !isAllowed(originOf(referer))) return next(csrf('Referer is not this site'));
    }

    const path = req.originalUrl.split('?')[0];
    if (RAW_BODY_ROUTES.some((r) => r.test(path))) {
      if (!req.get('x-requested-with')) return next(csrf('uploads must carry the X-Requested-With header'));
      return next();
    }
    if (hasBody(req) || req.headers['content-type'] !== undefined) {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json' && !type.endsWith('+json')) {
        return next(new HttpError(415, 'unsupported_media_type', 'Send the request body as application/json', [{ field: 'headers.content-type', reason: `must be application/json, got ${type || 'none'}` }]));
      }
    }
    next();
  };
}
