// Drives a running Chromium over the DevTools protocol for tests/browser.rs: opens the
// page, submits its order form, waits for the result text, and prints one JSON line
// describing what the page did. Chromium is started (and killed) by the Rust test, so a
// failing driver can never leave a browser behind.
//
// usage: node driver.cjs <playwright-core folder> <DevTools http endpoint> <page url>
"use strict";

const [modulePath, endpoint, pageUrl] = process.argv.slice(2);
const { chromium } = require(modulePath);

const STEP_TIMEOUT_MS = 8000;
// Below the Rust side's bound, so a stuck step is reported here with its reason.
const DRIVER_TIMEOUT_MS = 20000;

setTimeout(() => {
  console.error("driver: gave up after " + DRIVER_TIMEOUT_MS + " ms");
  process.exit(2);
}, DRIVER_TIMEOUT_MS).unref();

// Runs in the page before any of its scripts. Records each write and read of
// window.BACKEND_URL with the path of the script doing it ("-" outside a script's first
// run, as in an event handler), in execution order. Request order at the server cannot
// show that config.js ran first: the browser fetches both scripts in parallel.
function traceBackendUrl() {
  const trace = [];
  let value;
  const script = () => {
    const current = document.currentScript;
    return current && current.src ? new URL(current.src).pathname : "-";
  };
  Object.defineProperty(window, "__backendUrlTrace", { value: trace });
  Object.defineProperty(window, "BACKEND_URL", {
    configurable: true,
    get() {
      trace.push("get " + script());
      return value;
    },
    set(next) {
      trace.push("set " + script());
      value = next;
    },
  });
}

async function main() {
  const browser = await chromium.connectOverCDP(endpoint, { timeout: STEP_TIMEOUT_MS });
  const context = browser.contexts()[0];
  const page = context.pages()[0] || (await context.newPage());

  // What the page did besides the result text, for the test's failure messages.
  const console_ = [];
  const errors = [];
  const failed = [];
  // Every request the page made, so the test can tell where the order went (and that
  // nothing went to an old herokuapp host).
  const requests = [];
  page.on("request", (request) => requests.push(request.method() + " " + request.url()));
  page.on("console", (message) => console_.push(message.type() + ": " + message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("requestfailed", (request) =>
    failed.push(request.method() + " " + request.url() + ": " + request.failure().errorText),
  );

  await page.addInitScript(traceBackendUrl);
  await page.goto(pageUrl, { waitUntil: "load", timeout: STEP_TIMEOUT_MS });
  const trace = await page.evaluate(() => window.__backendUrlTrace.slice());
  const backendUrl = await page.evaluate(() => window.BACKEND_URL ?? null);

  // Submit the form the way a user does; the page's own handler sends the order.
  await page.click("#order button[type=submit]", { timeout: STEP_TIMEOUT_MS });
  let timedOut = false;
  try {
    await page.waitForFunction(
      () => document.getElementById("result").textContent !== "",
      null,
      { timeout: STEP_TIMEOUT_MS },
    );
  } catch (error) {
    timedOut = true;
  }
  const result = await page.textContent("#result");

  console.log(
    JSON.stringify({ backendUrl, trace, result, timedOut, requests, console: console_, errors, failed }),
  );

  // Close Chromium cleanly so it reaps its own child processes; the test still kills it
  // if this does not happen.
  const session = await browser.newBrowserCDPSession();
  await session.send("Browser.close").catch(() => {});
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error("driver: " + (error && error.stack ? error.stack : error));
    process.exit(1);
  },
);
