import { Jimp } from 'jimp';

/**
 * Test images, made here: jimp draws them and encodes them, and `withExif` adds an EXIF block
 * (APP1) to a JPEG the way a camera writes one, since jimp's encoder writes none.
 */

/** A `width` × `height` image, left half red and right half blue, so a crop or a rotation shows. */
export async function testImage(width: number, height: number, mime: 'image/jpeg' | 'image/png' = 'image/jpeg'): Promise<Buffer> {
  const image = new Jimp({ width, height, color: 0xff0000ff });
  image.scan(Math.floor(width / 2), 0, width - Math.floor(width / 2), height, (x, y, index) => {
    image.bitmap.data.writeUInt32BE(0x0000ffff, index);
  });
  return mime === 'image/jpeg' ? image.getBuffer('image/jpeg', { quality: 90 }) : image.getBuffer('image/png');
}

/** The colour of one pixel as 0xRRGGBBAA. */
export async function pixel(image: Buffer, x: number, y: number): Promise<number> {
  return (await Jimp.read(image)).getPixelColor(x, y);
}

type Tag =
  | { tag: number; type: 'ASCII'; value: string }
  | { tag: number; type: 'SHORT' | 'LONG'; value: number[] }
  | { tag: number; type: 'RATIONAL'; value: Array<[number, number]> };

const TYPE_CODE = { ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5 } as const;

function valueBytes(entry: Tag): Buffer {
  switch (entry.type) {
    case 'ASCII':
      return Buffer.from(`${entry.value}\0`, 'latin1');
    case 'SHORT':
      return Buffer.concat(entry.value.map((v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; }));
    case 'LONG':
      return Buffer.concat(entry.value.map((v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; }));
    case 'RATIONAL':
      return Buffer.concat(entry.value.map(([n, d]) => { const b = Buffer.alloc(8); b.writeUInt32LE(n); b.writeUInt32LE(d, 4); return b; }));
  }
}

const count = (entry: Tag) => (entry.type === 'ASCII' ? entry.value.length + 1 : entry.value.length);
/** An IFD: entry count, 12 bytes per entry, next-IFD offset, then the values longer than 4 bytes (word-aligned). */
const ifdLength = (entries: Tag[]) => 6 + 12 * entries.length + entries.reduce((sum, e) => { const n = valueBytes(e).length; return n > 4 ? sum + n + (n % 2) : sum; }, 0);

function writeIfd(tiff: Buffer, offset: number, entries: Tag[]): void {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  tiff.writeUInt16LE(sorted.length, offset);
  let data = offset + 2 + 12 * sorted.length + 4;
  sorted.forEach((entry, i) => {
    const at = offset + 2 + 12 * i;
    const bytes = valueBytes(entry);
    tiff.writeUInt16LE(entry.tag, at);
    tiff.writeUInt16LE(TYPE_CODE[entry.type], at + 2);
    tiff.writeUInt32LE(count(entry), at + 4);
    if (bytes.length <= 4) bytes.copy(tiff, at + 8);
    else {
      tiff.writeUInt32LE(data, at + 8);
      bytes.copy(tiff, data);
      data += bytes.length + (bytes.length % 2);
    }
  });
  tiff.writeUInt32LE(0, offset + 2 + 12 * sorted.length);
}

export interface ExifTags {
  make: string;
  model: string;
  /** 1 (upright) to 8; 6 means "rotate 90° clockwise to display". */
  orientation: number;
  /** As cameras write it: `YYYY:MM:DD HH:MM:SS`. */
  dateTimeOriginal: string;
  /** Degrees, minutes, seconds; north and east positive. */
  gps?: { latitude: [number, number, number]; longitude: [number, number, number] };
}

/** A little-endian TIFF structure: IFD0 (Make, Model, Orientation), the Exif IFD (DateTimeOriginal) and the GPS IFD. */
function exifTiff(tags: ExifTags): Buffer {
  const rational = (value: number): [number, number] => [Math.round(value * 100), 100];
  const ifd0: Tag[] = [
    { tag: 0x010f, type: 'ASCII', value: tags.make },
    { tag: 0x0110, type: 'ASCII', value: tags.model },
    { tag: 0x0112, type: 'SHORT', value: [tags.orientation] },
    { tag: 0x8769, type: 'LONG', value: [0] },
    ...(tags.gps ? [{ tag: 0x8825, type: 'LONG', value: [0] } as Tag] : []),
  ];
  const exif: Tag[] = [{ tag: 0x9003, type: 'ASCII', value: tags.dateTimeOriginal }];
  const gps: Tag[] = tags.gps
    ? [
        { tag: 0x0001, type: 'ASCII', value: tags.gps.latitude[0] >= 0 ? 'N' : 'S' },
        { tag: 0x0002, type: 'RATIONAL', value: tags.gps.latitude.map((v) => rational(Math.abs(v))) },
        { tag: 0x0003, type: 'ASCII', value: tags.gps.longitude[0] >= 0 ? 'E' : 'W' },
        { tag: 0x0004, type: 'RATIONAL', value: tags.gps.longitude.map((v) => rational(Math.abs(v))) },
      ]
    : [];
  const exifOffset = 8 + ifdLength(ifd0);
  const gpsOffset = exifOffset + ifdLength(exif);
  (ifd0.find((e) => e.tag === 0x8769) as { value: number[] }).value = [exifOffset];
  if (tags.gps) (ifd0.find((e) => e.tag === 0x8825) as { value: number[] }).value = [gpsOffset];
  const tiff = Buffer.alloc(gpsOffset + (tags.gps ? ifdLength(gps) : 0));
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  writeIfd(tiff, 8, ifd0);
  writeIfd(tiff, exifOffset, exif);
  if (tags.gps) writeIfd(tiff, gpsOffset, gps);
  return tiff;
}

/** `jpeg` with an APP1 EXIF segment right after its start-of-image marker. */
export function withExif(jpeg: Buffer, tags: ExifTags): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(tags)]);
  const marker = Buffer.from([0xff, 0xe1, 0, 0]);
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, payload, jpeg.subarray(2)]);
}
