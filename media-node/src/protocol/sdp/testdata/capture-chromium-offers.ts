/**
 * Dev tool, not a test: captures the WHIP (sendonly camera + microphone,
 * candidates gathered) and WHEP (recvonly) offers of the local Chromium with
 * fake devices and prints them as JSON, for chromium-offers.ts.
 *
 *   node media-node/src/protocol/sdp/testdata/capture-chromium-offers.ts
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH } from '../../../../test/support/browser.ts';

const PAGE = `<!doctype html><pre id="out">pending</pre><script>
(async () => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 3000); });
  const play = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  play.addTransceiver('video', { direction: 'recvonly' });
  play.addTransceiver('audio', { direction: 'recvonly' });
  const o = await play.createOffer();
  document.getElementById('out').textContent = JSON.stringify({ ua: navigator.userAgent, whip: pc.localDescription.sdp, whep: o.sdp });
})().catch((e) => { document.getElementById('out').textContent = 'ERR ' + e; });
</script>`;

const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--no-sandbox'],
});
const page = await browser.newPage();
// getUserMedia needs a secure context: serve the page as http://localhost (no server: routed).
await page.route('http://localhost/offer', (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
await page.goto('http://localhost/offer');
await page.waitForFunction("document.getElementById('out').textContent !== 'pending'", null, { timeout: 20_000 });
console.log(await page.textContent('#out'));
await browser.close();
