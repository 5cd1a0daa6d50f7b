"""Write an award list of N item rows (default 100 000) for timing the page against the CLI.
Usage: python3 wasm/e2e/make_big.py OUT.xlsx [N]   (needs openpyxl; the file is not committed)"""
import sys
from openpyxl import Workbook

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
wb = Workbook(write_only=True)
ws = wb.create_sheet("Bang gia trung thau")
ws.append(["BẢNG GIÁ TRÚNG THẦU"])
ws.append(["Gói thầu: Mua sắm vật tư y tế năm 2026"])
ws.append([])
ws.append(["STT", "Tên hàng hóa", "Ký mã hiệu", "Nhãn hiệu", "Xuất xứ", "Hãng sản xuất",
           "Đơn vị tính", "Số lượng", "Đơn giá trúng thầu", "Thành tiền"])
origins = [("Việt Nam", "Công ty CP Dược phẩm Hà Tây"), ("Trung Quốc", "Ningbo Medical Co., Ltd"),
           ("Đức", "B. Braun"), ("Nhật Bản", "Terumo Corporation"), ("-", "-")]
names = ["Bơm tiêm nhựa 5ml", "Găng tay khám bệnh", "Bông y tế", "Kim luồn tĩnh mạch 22G",
         "Máy đo huyết áp điện tử", "Dây truyền dịch", "Khẩu trang y tế 3 lớp"]
for i in range(1, n + 1):
    origin, maker = origins[i % len(origins)]
    model = "-" if i % 11 == 0 else f"MD-{i:06d}"
    qty = (i % 50) + 1
    price = 1000 * ((i % 97) + 1)
    ws.append([i, names[i % len(names)], model, "Medi", origin, maker, "Cái", qty, price, qty * price])
wb.save(out)
