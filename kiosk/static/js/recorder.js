/* Tap to speak: a recording from the microphone, as a 16 kHz mono 16-bit WAV. */

const LISTEN_MS = 4000;        // the longest recording
const SLICE_MS = 100;          // the recorder hands over audio this often
const WAV_RATE = 16000;
const MAX_SAMPLES = 160000;    // 10 s: the most the server takes for one recording

/* Starts recording: `hearing()` once audio comes in, `done(wav)` at the end with a promise of the
   WAV. Returns what ends the recording early. Throws when there is no microphone or it is not allowed. */
export async function startRecording(hearing, done) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const chunks = [];
  const recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0 && chunks.push(event.data) === 1) hearing();
  };
  recorder.onstop = () => {
    stream.getTracks().forEach((track) => track.stop());
    done(toWav(new Blob(chunks, { type: recorder.mimeType })));
  };
  const stop = () => recorder.state === "recording" && recorder.stop();
  recorder.start(SLICE_MS);
  setTimeout(stop, LISTEN_MS);
  return stop;
}

// Decoding into a 16 kHz audio context resamples the recording.
async function toWav(blob) {
  const context = new OfflineAudioContext(1, 1, WAV_RATE);
  const audio = await context.decodeAudioData(await blob.arrayBuffer());
  const samples = keepSound(mixDown(audio));
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const ascii = (offset, text) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);           // size of the format block
  view.setUint16(20, 1, true);            // PCM
  view.setUint16(22, 1, true);            // mono
  view.setUint32(24, WAV_RATE, true);
  view.setUint32(28, WAV_RATE * 2, true); // bytes per second
  view.setUint16(32, 2, true);            // bytes per frame
  view.setUint16(34, 16, true);           // bits per sample
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
  return view.buffer;
}

function mixDown(audio) {
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    audio.getChannelData(c).forEach((s, i) => { mono[i] += s / audio.numberOfChannels; });
  }
  return mono;
}

// The server takes about 2 s of audio, so keep the part with sound in it, from a little before
// the first loud 20 ms to a little after the last.
function keepSound(samples) {
  const frame = WAV_RATE / 50;
  const levels = [];
  for (let i = 0; i < samples.length; i += frame) {
    const part = samples.subarray(i, i + frame);
    levels.push(Math.sqrt(part.reduce((sum, s) => sum + s * s, 0) / part.length));
  }
  const threshold = Math.max(0.01, Math.max(0, ...levels) * 0.1);
  const first = Math.max(0, levels.findIndex((level) => level >= threshold) - 10);
  const last = levels.findLastIndex((level) => level >= threshold) + 15;
  const start = first * frame;
  return samples.subarray(start, Math.min(last * frame, start + MAX_SAMPLES));
}
