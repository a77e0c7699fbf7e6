"""What a phone reads from a printed document: the first page rasterised by PDFium
at 216 dpi, the QR codes on it decoded by ZXing."""

import pypdfium2
import zxingcpp


def scanned_urls(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [
        code.text
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]
