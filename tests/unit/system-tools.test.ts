import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, missingToolMessage } from '../helpers/system-tools';

test('a missing test tool is named with why it is needed and how to install it', () => {
  const empty = mkdtempSync(join(tmpdir(), 'detecta-nobin-'));
  try {
    const env = { PATH: empty };
    assert.equal(findTool('ffmpeg', env), null);
    assert.match(missingToolMessage('ffmpeg', env), /no ffmpeg was found on PATH; the video tests .*apt-get install ffmpeg.*DETECTA_FFMPEG/);
    assert.match(missingToolMessage('chromium', { PATH: empty, CHROMIUM_PATH: '/nope/chrome' }), /CHROMIUM_PATH=\/nope\/chrome is not an executable.*apt-get install chromium/);
    const fake = join(empty, 'ffprobe');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    assert.equal(findTool('ffprobe', env), fake);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
