// A web app in a real browser (Debian's Chromium, its web security as users have it): a page
// served from an origin the gateway allows (CORS_ALLOWED_ORIGINS) calls the app API, a write
// that needs a preflight included, and reads its answers, refusals included; the same calls
// from another origin, or to a gateway that allows none, are kept from the page by the browser
// and change nothing.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { launchService, type ServiceProcess, serviceEnvironment, waitUntilReady } from '@haru/dev-stack';
import {
  freePort,
  openChromium,
  requireChromium,
  signInTestUser,
  startTestStack,
  type TestStack,
  type TestUser,
} from '@haru/testing';
import type { BrowserContext, Page } from 'playwright-core';

let stack: TestStack;
let closedGateway: ServiceProcess;
let browser: BrowserContext;
let webApp: WebOrigin;
let otherSite: WebOrigin;
let user: TestUser;

interface WebOrigin {
  origin: string;
  page: Page;
  server: Server;
}

/** An origin of its own (a port on loopback) serving an empty page, open in the browser. */
async function openWebOrigin(): Promise<WebOrigin> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>a web app</title>');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const page = await browser.newPage();
  await page.goto(origin);
  return { origin, page, server };
}

interface Call {
  url: string;
  method?: string;
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

type Answer =
  | { status: number; body: Record<string, unknown> | null; correlationId: string | null; allow: string | null }
  | { refused: string };

/** A `fetch` made by the page's own script, as a web app makes it. */
const fetchFrom = (page: Page, call: Call): Promise<Answer> =>
  page.evaluate(async ({ url, method = 'GET', token, json, headers = {} }) => {
    try {
      const response = await fetch(url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        correlationId: response.headers.get('x-correlation-id'),
        allow: response.headers.get('allow'),
      };
    } catch (error) {
      return { refused: String(error) };
    }
  }, call);

const newFamily = (name: string) => ({
  name,
  timezone: 'Asia/Seoul',
  pushTime: '21:00',
  member: { role: 'parent', displayName: 'Mom' },
});

/** The caller's families as the gateway lists them to a client that is not a browser. */
async function familyNamesOf(caller: TestUser): Promise<string[]> {
  const response = await fetch(`${stack.url('gateway')}/v1/me`, {
    headers: { authorization: `Bearer ${caller.idToken}` },
  });
  assert.equal(response.status, 200);
  const { families } = (await response.json()) as { families: Array<{ name: string }> };
  return families.map(({ name }) => name);
}

before(async () => {
  requireChromium('the web-origin test');
  browser = await openChromium();
  [webApp, otherSite] = await Promise.all([openWebOrigin(), openWebOrigin()]);
  stack = await startTestStack({
    environment: (name) => (name === 'gateway' ? { CORS_ALLOWED_ORIGINS: webApp.origin } : {}),
  });
  closedGateway = launchService(
    'gateway',
    { ...serviceEnvironment('gateway', stack.parts), PORT: String(await freePort()) },
    { output: () => {} },
  );
  await waitUntilReady(closedGateway);
  user = await signInTestUser();
});

after(async () => {
  await browser?.close();
  for (const site of [webApp, otherSite]) site?.server.close();
  await closedGateway?.stop();
  await stack?.stop();
});

describe('web apps in a browser', () => {
  test('when a page of an allowed origin writes and reads through the API, then it reads each answer and its correlation id', async () => {
    const created = await fetchFrom(webApp.page, {
      url: `${stack.url('gateway')}/v1/families`,
      method: 'POST',
      token: user.idToken,
      json: newFamily('Web'),
      // Sent only after the browser's preflight allowed it.
      headers: { 'idempotency-key': 'web-family-1' },
    });
    assert.ok('status' in created, `the browser refused the write: ${JSON.stringify(created)}`);
    assert.equal(created.status, 201);
    assert.match(created.correlationId ?? '', /^[0-9a-f-]{36}$/);

    const account = await fetchFrom(webApp.page, { url: `${stack.url('gateway')}/v1/me`, token: user.idToken });
    assert.ok('status' in account, JSON.stringify(account));
    assert.equal(account.status, 200);
    const families = account.body?.families as Array<{ familyId: string; name: string }> | undefined;
    assert.deepEqual(
      families?.map(({ familyId, name }) => [familyId, name]),
      [[created.body?.familyId, 'Web']],
    );
  });

  test('when the API refuses a page of an allowed origin, then the page reads why', async () => {
    const unauthenticated = await fetchFrom(webApp.page, {
      url: `${stack.url('gateway')}/v1/me`,
      token: 'not-a-token',
    });
    assert.ok('status' in unauthenticated, JSON.stringify(unauthenticated));
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.body?.type, 'https://haru.app/problems/unauthenticated');

    const wrongMethod = await fetchFrom(webApp.page, {
      url: `${stack.url('gateway')}/v1/me`,
      method: 'PUT',
      token: user.idToken,
    });
    assert.ok('status' in wrongMethod, JSON.stringify(wrongMethod));
    assert.deepEqual([wrongMethod.status, wrongMethod.allow], [405, 'DELETE, GET']);
  });

  test('when a page of another origin, or any page with a gateway that allows none, calls the API, then the browser refuses and nothing is written', async () => {
    const user = await signInTestUser();
    const calls: Array<[string, Page, Call]> = [
      ['a read from another origin', otherSite.page, { url: `${stack.url('gateway')}/v1/me`, token: user.idToken }],
      [
        'a write from another origin',
        otherSite.page,
        { url: `${stack.url('gateway')}/v1/families`, method: 'POST', token: user.idToken, json: newFamily('Other') },
      ],
      [
        'a write to a gateway that allows no origin',
        webApp.page,
        { url: `${closedGateway.url}/v1/families`, method: 'POST', token: user.idToken, json: newFamily('Closed') },
      ],
    ];
    for (const [what, page, call] of calls) {
      const answer = await fetchFrom(page, call);
      assert.ok('refused' in answer, `${what} was answered ${JSON.stringify(answer)}`);
      assert.match(answer.refused, /TypeError: Failed to fetch/);
    }
    assert.deepEqual(await familyNamesOf(user), []);
  });
});
