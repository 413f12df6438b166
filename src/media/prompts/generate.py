#!/usr/bin/env python3
"""Makes the built-in prompts at build time: <out>/<lang>/<id>.wav, mono 16-bit PCM at 16 kHz.

Each "<id> = <text>" line of a <lang>.txt file is spoken by espeak-ng (which only writes 22050 Hz),
resampled here with the standard library alone (a Kaiser-windowed sinc), trimmed, levelled and
faded; the cue_* beeps are synthesised. The output is deterministic, so builds are reproducible.
"""

import argparse
import array
import math
import operator
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

RATE = 16000
SPEED_WPM = 160         # espeak's default 175 is hurried for a phone line
LEVEL_DBFS = -21.0      # RMS of the voiced part: telephone speech level, with peaks well clear of 0
PEAK_MAX = 0.89         # -1 dBFS
LEAD_S, TAIL_S, FADE_S = 0.02, 0.08, 0.005
# Two short tones, falling for mute and rising for unmute (pitches as in common conferencing tools).
CUES = {'cue_mute': (660.0, 440.0), 'cue_unmute': (440.0, 660.0)}


def read_texts(path):
    voice, texts = None, []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            key, sep, value = (s.strip() for s in line.partition('='))
            if not sep or not key or not value:
                sys.exit(f'{path}:{n}: expected "<id> = <text>"')
            if key == 'voice':
                voice = value
            else:
                texts.append((key, value))
    if not voice:
        sys.exit(f'{path}: no "voice = <espeak voice>" line')
    return voice, texts


def speak(espeak, voice, text, tmp):
    """espeak-ng's output for `text` as floats in -1..1 and its rate."""
    fd, path = tempfile.mkstemp(suffix='.wav', dir=tmp)
    os.close(fd)
    subprocess.run([espeak, '-v', voice, '-s', str(SPEED_WPM), '-w', path, text], check=True)
    with wave.open(path, 'rb') as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f'espeak-ng wrote {w.getnchannels()} channels of {w.getsampwidth()} bytes')
        pcm = array.array('h', w.readframes(w.getnframes()))
        rate = w.getframerate()
    if sys.byteorder == 'big':
        pcm.byteswap()
    return rate, [s / 32768.0 for s in pcm]


def bessel_i0(x):
    total, term, k = 1.0, 1.0, 1
    while term > 1e-12 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


@lru_cache
def design(up, down, half, beta):
    """One filter per output phase: Kaiser-windowed sinc, cut-off just under the lower Nyquist."""
    fc = 0.5 * min(1.0, up / down) * 0.92  # cycles per input sample
    norm = bessel_i0(beta)
    phases = []
    for p in range(up):
        frac = p / up
        taps = []
        for k in range(2 * half):
            d = frac + half - 1 - k  # output position minus input position, in input samples
            r = d / half
            w = bessel_i0(beta * math.sqrt(max(0.0, 1 - r * r))) / norm
            s = 2 * fc * (math.sin(math.pi * 2 * fc * d) / (math.pi * 2 * fc * d) if d else 1.0)
            taps.append(w * s)
        gain = sum(taps)
        phases.append([t / gain for t in taps])
    return phases


def resample(x, rin, rout, half=32, beta=8.6):
    """Polyphase resampling with `half` taps either side of each output sample."""
    if rin == rout:
        return list(x)
    g = math.gcd(rin, rout)
    up, down = rout // g, rin // g
    phases = design(up, down, half, beta)
    padded = [0.0] * half + list(x) + [0.0] * half
    out = []
    for n in range(len(x) * up // down):
        base, p = divmod(n * down, up)
        out.append(sum(map(operator.mul, phases[p], padded[base + 1:base + 1 + 2 * half])))
    return out


def shape(x, rate):
    """Trims silence to a short lead and tail, sets the level and fades both ends."""
    peak = max((abs(s) for s in x), default=0.0)
    if peak == 0:
        sys.exit('espeak-ng produced silence')
    loud = [i for i, s in enumerate(x) if abs(s) > 0.01 * peak]
    start = max(0, loud[0] - int(LEAD_S * rate))
    end = min(len(x), loud[-1] + 1 + int(TAIL_S * rate))
    x = x[start:end]
    voiced = [s for s in x if abs(s) > 0.02 * peak]
    rms = math.sqrt(sum(s * s for s in voiced) / len(voiced))
    gain = min(10 ** (LEVEL_DBFS / 20) / rms, PEAK_MAX / peak)
    x = [s * gain for s in x]
    return fade(x, rate)


def fade(x, rate):
    n = min(int(FADE_S * rate), len(x) // 2)
    for i in range(n):
        x[i] *= i / n
        x[-1 - i] *= i / n
    return x


def cue(freqs, rate, tone_s=0.15, gap_s=0.05, amp=0.15):
    """Two tones with raised-cosine edges (no clicks), then a short tail of silence."""
    out = []
    edge = int(0.01 * rate)
    for i, f in enumerate(freqs):
        n = int(tone_s * rate)
        for k in range(n):
            e = min(1.0, k / edge, (n - 1 - k) / edge)
            envelope = 0.5 - 0.5 * math.cos(math.pi * e)
            out.append(amp * envelope * math.sin(2 * math.pi * f * k / rate))
        out.extend([0.0] * int((gap_s if i + 1 < len(freqs) else TAIL_S) * rate))
    return out


def write_wav(path, x, rate):
    pcm = array.array('h', (max(-32768, min(32767, round(s * 32768))) for s in x))
    if sys.byteorder == 'big':
        pcm.byteswap()
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def make_language(espeak, texts_path, out, tmp):
    lang = os.path.splitext(os.path.basename(texts_path))[0]
    voice, texts = read_texts(texts_path)
    folder = os.path.join(out, lang)
    os.makedirs(folder)

    for pid, text in texts:
        rate, x = speak(espeak, voice, text, tmp)
        write_wav(os.path.join(folder, pid + '.wav'), shape(resample(x, rate, RATE), RATE), RATE)
    for pid, freqs in CUES.items():
        write_wav(os.path.join(folder, pid + '.wav'), cue(freqs, RATE), RATE)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--espeak', required=True, help='the espeak-ng program')
    ap.add_argument('--out', required=True, help='folder to (re)create')
    ap.add_argument('texts', nargs='+', help='<lang>.txt files')
    args = ap.parse_args()
    # Build beside the output and swap it in whole: an interrupted build leaves no partial set.
    out = os.path.abspath(args.out)
    staging = out + '.tmp'
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    # A language per process (each in its own temporary folder): the resampling is pure Python.
    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = []
        for i, texts_path in enumerate(args.texts):
            os.makedirs(os.path.join(tmp, str(i)))
            jobs.append(pool.submit(make_language, args.espeak, texts_path, staging, os.path.join(tmp, str(i))))
        for job in jobs:
            job.result()  # re-raises a language's failure (sys.exit too) here
    shutil.rmtree(out, ignore_errors=True)
    os.rename(staging, out)
    os.utime(out)  # ninja compares the folder's time with its inputs'


if __name__ == '__main__':
    main()
