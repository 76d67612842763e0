"""Makes the committed image fixtures for ImageProcessorTests (Pillow 13)."""
import io, struct, sys
from PIL import Image, ImageDraw, ImageCms

out = sys.argv[1]
XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="30,15.0N" '
       b'exif:GPSLongitude="120,10.0E" exif:UserComment="BULLETIN-XMP-MARKER"/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')

def exif(orientation):
    e = Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = "BulletinTestCam"
    gps = e.get_ifd(0x8825)
    gps[1] = "N"; gps[2] = (30.0, 15.0, 0.0)
    gps[3] = "E"; gps[4] = (120.0, 10.0, 0.0)
    return e.tobytes()

def scene(w, h, mode="RGB"):
    im = Image.new(mode, (w, h))
    d = ImageDraw.Draw(im)
    for y in range(h):
        d.line([(0, y), (w, y)], fill=(40, 80 + 100 * y // h, 160) + ((255,) if mode == "RGBA" else ()))
    # A red block in the stored top-left corner shows which way the image was turned.
    d.rectangle([0, 0, w // 8, h // 8], fill=(255, 0, 0) + ((255,) if mode == "RGBA" else ()))
    return im

srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

def iptc_app13():
    record = b"\x1c\x02\x78" + struct.pack(">H", 21) + b"BULLETIN-IPTC-MARKER!"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record + (b"\x00" if len(record) % 2 else b"")
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body

# 800x600 stored, orientation 6 (shown turned 90 degrees clockwise: 600x800), with GPS in EXIF and XMP,
# an ICC profile and IPTC.
buf = io.BytesIO()
scene(800, 600).save(buf, "JPEG", quality=80, exif=exif(6), icc_profile=srgb, xmp=XMP)
data = buf.getvalue()
data = data[:2] + iptc_app13() + data[2:]
open(f"{out}/rotated-gps.jpg", "wb").write(data)

# A PNG with an alpha channel, EXIF (GPS) in eXIf, XMP in iTXt and an ICC profile.
from PIL import PngImagePlugin
info = PngImagePlugin.PngInfo()
info.add_itxt("XML:com.adobe.xmp", XMP.decode("utf-8"))
scene(640, 400, "RGBA").save(f"{out}/metadata.png", "PNG", exif=exif(1), icc_profile=srgb, pnginfo=info, optimize=True)

# A WebP with EXIF (GPS) and XMP.
scene(500, 300).save(f"{out}/metadata.webp", "WEBP", quality=70, exif=exif(1), xmp=XMP)

# An animated GIF: a red first frame, a green second one.
frames = [Image.new("RGB", (300, 200), c) for c in [(255, 0, 0), (0, 255, 0)]]
frames[0].save(f"{out}/animated.gif", "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

# A TIFF, which libvips reads but Bulletin does not publish.
Image.new("RGB", (4, 4), (1, 2, 3)).save(f"{out}/tiny.tiff", "TIFF")
