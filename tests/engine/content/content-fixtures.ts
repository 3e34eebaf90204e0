import sharp from 'sharp';

/** An 800×600 PNG made for the test (a red and blue split), so sizes and thumbnails can be checked. */
export async function testPng(width = 800, height = 600): Promise<Buffer> {
  const half = await sharp({ create: { width: width / 2, height, channels: 3, background: '#1e40af' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#dc2626' } })
    .composite([{ input: half, left: width / 2, top: 0 }])
    .png()
    .toBuffer();
}

/** A multipart form with one file in the field "file". */
export function fileForm(data: Buffer, filename: string, contentType: string, field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(data)], { type: contentType }), filename);
  return form;
}
