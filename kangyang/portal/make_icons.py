"""The app icons (static/img/icon-*.png), drawn once from static/img/favicon.svg's drawing (a house
with a heart) and committed: `python -m kangyang.portal.make_icons` draws them again."""
from PIL import Image, ImageDraw

HOUSE = [(16, 5), (28, 15), (24.5, 15), (24.5, 27), (7.5, 27), (7.5, 15), (4, 15)]
# The heart path of favicon.svg: M16 24.5 then cubic segments.
HEART = [((16, 24.5), (11, 21), (10, 18.6), (10, 17.2)), ((10, 17.2), (10, 15.5), (11.3, 14.4), (12.8, 14.4)),
         ((12.8, 14.4), (14.2, 14.4), (15.3, 15.3), (16, 16.4)), ((16, 16.4), (16.7, 15.3), (17.8, 14.4), (19.2, 14.4)),
         ((19.2, 14.4), (20.7, 14.4), (22, 15.5), (22, 17.2)), ((22, 17.2), (22, 18.6), (21, 21), (16, 24.5))]


def bezier(p0, p1, p2, p3, n=24):
    out = []
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def draw(size, maskable=False):
    ss = 4  # supersample, then downscale for smooth edges
    big = size * ss
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    green, white, red = (11, 110, 79, 255), (255, 255, 255, 255), (179, 38, 30, 255)
    if maskable:
        d.rectangle([0, 0, big, big], fill=green)
        scale, offset = big * 0.7 / 32, big * 0.15
    else:
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 6 / 32, fill=green)
        scale, offset = big / 32, 0

    def tr(pts):
        return [(offset + x * scale, offset + y * scale) for x, y in pts]

    d.polygon(tr(HOUSE), fill=white)
    heart = [pt for seg in HEART for pt in bezier(*seg)]
    d.polygon(tr(heart), fill=red)
    return img.resize((size, size), Image.LANCZOS)




if __name__ == "__main__":
    draw(192).save("static/img/icon-192.png", optimize=True)
    draw(512).save("static/img/icon-512.png", optimize=True)
    draw(512, maskable=True).save("static/img/icon-maskable-512.png", optimize=True)
