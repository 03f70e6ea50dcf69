#!/usr/bin/env python3
"""Generates contrib/demo-catalog.csv: the products of a Tashkent minimarket for `make demo`.

    python3 contrib/gen-demo-catalog.py > contrib/demo-catalog.csv

Names are in Uzbek Latin (with the letters oʻ and gʻ, U+02BB) and in Russian, prices in so'm
(major units), VAT 12% except bread, flour and a few other basic goods (0%). Barcodes are
EAN-13 with computed check digits: 478 (Uzbekistan) for local goods, 460 (Russia), 487
(Kazakhstan), 869 (Turkey), 590 (Poland) and 400 (Germany) for imported ones. Goods sold by
weight have unit kg and a plu, the product code inside in-store weight barcodes (prefix 20-29).
The output is deterministic: the same script always writes the same file.
Every product carries a real-looking 17-digit MXIK (IKPU) code, as a fiscal till needs.
"""

import csv
import random
import sys

OQ = "\u02bb"  # the Uzbek ʻ in oʻ and gʻ

rng = random.Random(4780)
used = set()


def check_digit(digits12):
    """The EAN-13 check digit: weights 1,3,1,3,... from the left over the first 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return str((10 - total % 10) % 10)


def ean13(prefix):
    """A fresh EAN-13 with the given 3-digit country prefix and a valid check digit."""
    while True:
        body = prefix + "".join(str(rng.randrange(10)) for _ in range(9))
        code = body + check_digit(body)
        if code not in used:
            used.add(code)
            return code


def u(s):
    """Writes oʻ/gʻ as o'/g' in the source for readability, the real letter in the output."""
    return s.replace("o'", "o" + OQ).replace("g'", "g" + OQ).replace("O'", "O" + OQ) \
        .replace("G'", "G" + OQ)


rows = []
sku_counter = {}

# MXIK (IKPU) class codes are 17 digits: group, class, position, sub-position, then the
# brand and packaging. These are real-looking, not looked up: the first eight digits by
# category (a group and class per shelf), then a running position and a fixed tail. A
# product whose code is given keeps it.
MXIK_CLASS = {
    "Non mahsulotlari": "10710001", "Sut mahsulotlari": "10511001",
    "Ichimliklar": "11070001", "Choy va qahva": "10830001", "Bakaleya": "10610001",
    "Shirinliklar": "10820001", "Gazaklar": "10390001", "Konservalar": "10320001",
    "Muzlatilgan": "10850001", "Kolbasa mahsulotlari": "10130001",
    "Maishiy kimyo": "20410001", "Gigiyena": "20420001", "Bolalar uchun": "10860001",
    "Boshqa": "32990001",
}
mxik_counter = {}


def mxik_for(category):
    prefix = MXIK_CLASS.get(category, "32990001")
    mxik_counter[prefix] = mxik_counter.get(prefix, 0) + 1
    return "%s%03d001000" % (prefix, mxik_counter[prefix])


def add(category, name, price, vat=12, prefix="478", unit="pcs", stock=None, mxik="",
        plu=""):
    code = "".join(c for c in category if c.isalpha())[:3].upper()
    sku_counter[code] = sku_counter.get(code, 0) + 1
    sku = "%s-%03d" % (code, sku_counter[code])
    if not mxik:
        mxik = mxik_for(category)
    if stock is None:
        stock = rng.choice([12, 20, 24, 30, 36, 48, 60, 72, 100]) if unit == "pcs" else \
            "%d.%03d" % (rng.randrange(8, 60), rng.choice([0, 250, 500, 750]))
    rows.append({
        "barcode": ean13(prefix), "name": u(name), "price": str(price), "vat": str(vat),
        "unit": unit, "sku": sku, "mxik": mxik, "category": u(category), "stock": str(stock),
        "plu": str(plu),
    })


# ---- Bread: VAT 0 -------------------------------------------------------------------------
cat = "Non mahsulotlari"
add(cat, "Nonvoyxona non", 4000, vat=0, mxik="10710001001000000")
add(cat, "Patir non", 6000, vat=0)
add(cat, "Obi non", 4500, vat=0)
add(cat, "Samarqand non", 8000, vat=0)
add(cat, "Kunjutli non", 5000, vat=0)
add(cat, "Хлеб белый нарезной 400 г", 5500, vat=0)
add(cat, "Хлеб ржаной Бородинский 350 г", 7000, vat=0)
add(cat, "Батон нарезной 350 г", 5000, vat=0)
add(cat, "Lavash 5 dona", 8000, vat=0)
add(cat, "Suxari vanilli 300 g", 9000)
add(cat, "Сушки с маком 300 г", 8500)
add(cat, "Tandir somsa", 6000, vat=0)

# ---- Dairy -----------------------------------------------------------------------------------
cat = "Sut mahsulotlari"
add(cat, "Молоко 3,2% 1 л", 14500, mxik="10511001001000000")
add(cat, "Молоко 2,5% 1 л", 13500)
add(cat, "Молоко 3,2% 0,5 л", 8000)
add(cat, "Sut Musaffo 2,5% 1 l", 13000)
add(cat, "Sut Musaffo 3,2% 1 l", 14000)
add(cat, "Qatiq 0,5 l", 8500)
add(cat, "Qatiq 1 l", 15000)
add(cat, "Suzma 400 g", 18000)
add(cat, "Qaymoq 200 g", 16000)
add(cat, "Кефир 2,5% 1 л", 13000)
add(cat, "Кефир 1% 0,5 л", 7500)
add(cat, "Ряженка 4% 0,5 л", 9000)
add(cat, "Сметана 20% 400 г", 17000)
add(cat, "Сметана 15% 200 г", 9500)
add(cat, "Творог 9% 200 г", 14000)
add(cat, "Творог 5% 400 г", 24000)
add(cat, "Йогурт клубничный 2,5% 290 г", 9500, prefix="460")
add(cat, "Йогурт персиковый 2,5% 290 г", 9500, prefix="460")
add(cat, "Ayran 0,5 l", 6000)
add(cat, "Sariyog' 72,5% 200 g", 27000)
add(cat, "Масло сливочное 82,5% 180 г", 32000, prefix="460")
add(cat, "Pishloq Gollandiya 200 g", 26000)
add(cat, "Сыр плавленый 90 г", 6500, prefix="460")
add(cat, "Сыр Моцарелла 125 г", 22000, prefix="590")
add(cat, "Glazirlangan syrok 45 g", 4500)
add(cat, "Kondensat sut 380 g", 16000)
add(cat, "Tuxum 10 dona", 18000, vat=0)
add(cat, "Tuxum 30 dona", 52000, vat=0)

# ---- Drinks ----------------------------------------------------------------------------------
cat = "Ichimliklar"
for brand, pfx in (("Coca-Cola", "478"), ("Fanta apelsin", "478"), ("Sprite", "478"),
                   ("Pepsi", "478"), ("7Up", "478"), ("Mirinda", "478")):
    for size, price in (("0,5 l", 7000), ("1 l", 10000), ("1,5 l", 13000), ("2 l", 16000)):
        add(cat, "%s %s" % (brand, size), price, prefix=pfx)
add(cat, "Coca-Cola Zero 0,5 l", 7500)
add(cat, "Coca-Cola 0,33 l banka", 6500)
for water, price in (("Hydrolife 0,5 l", 3000), ("Hydrolife 1,5 l", 4500),
                     ("Hydrolife 5 l", 9000), ("Nestle Pure Life 0,5 l", 3500),
                     ("Nestle Pure Life 1,5 l", 5000), ("Chortoq mineral suvi 0,5 l", 5000),
                     ("Chortoq mineral suvi 1 l", 8000), ("Bonaqua gazli 1 l", 5500)):
    add(cat, "Suv " + water, price)
add(cat, "Боржоми 0,5 л", 15000, prefix="487")
add(cat, "Ессентуки №17 0,5 л", 14000, prefix="460")
for fruit in ("olma", "apelsin", "shaftoli", "uzum", "multifrukt", "olcha", "ananas"):
    add(cat, "Sharbat Bliss %s 1 l" % fruit, 14000)
    add(cat, "Sharbat Bliss %s 0,2 l" % fruit, 4500)
for juice in ("яблоко", "апельсин", "томат", "вишня"):
    add(cat, "Сок Rich %s 1 л" % juice, 22000, prefix="460")
add(cat, "Kompot olma 1 l", 9000)
add(cat, "Kvas Non 1,5 l", 9000)
add(cat, "Квас Очаковский 1,5 л", 13000, prefix="460")
add(cat, "Flash Up energetik 0,45 l", 8000)
add(cat, "Red Bull 0,25 l", 18000, prefix="400")
add(cat, "Adrenaline Rush 0,449 l", 16000, prefix="460")
add(cat, "Lipton muzli choy limon 1 l", 10000)
add(cat, "Lipton muzli choy shaftoli 0,5 l", 7000)
add(cat, "Tarxun limonadi 0,5 l", 6000)
add(cat, "Dena limonad 1,5 l", 9000)

# ---- Tea and coffee --------------------------------------------------------------------------
cat = "Choy va qahva"
add(cat, "O'zbek choyi 95-navli ko'k choy 100 g", 9000, mxik="10830001001000000")
add(cat, "O'zbek choyi 110-navli ko'k choy 100 g", 10500)
add(cat, "Ko'k choy Shifo 200 g", 17000)
add(cat, "Qora choy Ahmad Tea 100 paket", 45000, prefix="500")
add(cat, "Qora choy Ahmad Tea Earl Grey 25 paket", 19000, prefix="500")
add(cat, "Чай черный Беседа 25 пак.", 12000, prefix="460")
add(cat, "Чай зеленый Greenfield 25 пак.", 18000, prefix="460")
add(cat, "Чай Lipton Yellow Label 100 пак.", 42000)
add(cat, "Choy Pakistan granula 250 g", 22000)
add(cat, "Nescafe Classic 95 g", 38000)
add(cat, "Nescafe Gold 190 g", 89000, prefix="400")
add(cat, "Jacobs Monarch 95 g", 45000, prefix="400")
add(cat, "Кофе MacCoffee 3в1 10 шт", 16000, prefix="460")
add(cat, "Nescafe 3in1 1 paket", 1800)
add(cat, "Kakao Nesquik 250 g", 28000)
add(cat, "Какао Золотой ярлык 100 г", 19000, prefix="460")

# ---- Groceries -------------------------------------------------------------------------------
cat = "Bakaleya"
add(cat, "Un oliy nav 1 kg", 8500, vat=0)
add(cat, "Un oliy nav 2 kg", 16500, vat=0)
add(cat, "Un birinchi nav 5 kg", 36000, vat=0)
add(cat, "Мука пшеничная высший сорт 2 кг", 18000, vat=0, prefix="487")
add(cat, "Guruch Lazer 1 kg", 24000)
add(cat, "Guruch Devzira 1 kg", 32000)
add(cat, "Guruch Alanga 1 kg", 22000)
add(cat, "Рис круглозерный 900 г", 21000)
add(cat, "Гречка ядрица 900 г", 19000, prefix="460")
add(cat, "Grechka 1 kg", 18000)
add(cat, "Mosh 1 kg", 22000)
add(cat, "No'xat 1 kg", 20000)
add(cat, "Loviya qizil 1 kg", 26000)
add(cat, "Перловка 800 г", 9000)
add(cat, "Овсяные хлопья Геркулес 500 г", 12000, prefix="460")
add(cat, "Manka 800 g", 10000)
add(cat, "Makaron Makfa rojki 450 g", 11000, prefix="460")
add(cat, "Makaron Makfa spagetti 450 g", 11000, prefix="460")
add(cat, "Макароны Макфа вермишель 450 г", 11000, prefix="460")
add(cat, "Makaron Baraka shoxcha 400 g", 7000)
add(cat, "Lag'mon ugrasi 500 g", 9000)
add(cat, "Kungaboqar yog'i 1 l", 22000, mxik="10411001001000000")
add(cat, "Kungaboqar yog'i 5 l", 105000)
add(cat, "Paxta yog'i 1 l", 20000)
add(cat, "Paxta yog'i 5 l", 95000)
add(cat, "Масло подсолнечное Олейна 1 л", 26000, prefix="460")
add(cat, "Zaytun yog'i 0,5 l", 75000, prefix="869")
add(cat, "Shakar 1 kg paket", 14500)
add(cat, "Shakar kub 500 g", 11000)
add(cat, "Tuz yodlangan 1 kg", 3000, vat=0)
add(cat, "Соль поваренная 1 кг", 3500, vat=0, prefix="487")
add(cat, "Qora murch 50 g", 6000)
add(cat, "Zira 50 g", 7000)
add(cat, "Qizil qalampir 50 g", 5000)
add(cat, "Лавровый лист 10 г", 3000)
add(cat, "Soda 500 g", 6000)
add(cat, "Xamirturush quruq 11 g", 2000)
add(cat, "Sirka 9% 0,5 l", 5000)
add(cat, "Tomat pastasi 380 g", 13000)
add(cat, "Томатная паста 270 г", 12000, prefix="869")
add(cat, "Mayonez Mahmood 400 g", 15000)
add(cat, "Майонез Провансаль 400 г", 17000, prefix="460")
add(cat, "Ketchup Heinz 350 g", 22000, prefix="590")
add(cat, "Горчица 100 г", 7000, prefix="460")
add(cat, "Asal tog' 500 g", 60000)
add(cat, "Murabbo o'rik 400 g", 19000)
add(cat, "Варенье малиновое 350 г", 24000, prefix="460")

# ---- Sweets ----------------------------------------------------------------------------------
cat = "Shirinliklar"
add(cat, "Snickers 50 g", 8000, prefix="400")
add(cat, "Snickers 80 g", 11000, prefix="400")
add(cat, "Mars 50 g", 8000, prefix="400")
add(cat, "Twix 55 g", 8000, prefix="400")
add(cat, "Bounty 55 g", 8500, prefix="400")
add(cat, "KitKat 45 g", 8000, prefix="590")
add(cat, "Alpen Gold sutli shokolad 85 g", 14000, prefix="590")
add(cat, "Alpen Gold yong'oqli 85 g", 14500, prefix="590")
add(cat, "Milka 90 g", 22000, prefix="400")
add(cat, "Шоколад Россия щедрая душа 90 г", 15000, prefix="460")
add(cat, "Шоколад Бабаевский горький 100 г", 19000, prefix="460")
add(cat, "Конфеты Мишка косолапый 200 г", 28000, prefix="460")
add(cat, "Конфеты Коровка 250 г", 19000, prefix="460")
add(cat, "Ulker Biskrem 100 g", 9000, prefix="869")
add(cat, "Ulker Cokoprens 300 g", 22000, prefix="869")
add(cat, "Eti Browni 40 g", 5000, prefix="869")
add(cat, "Torku Banada 400 g", 32000, prefix="869")
add(cat, "Pechenye Yubileynoe 112 g", 8000, prefix="460")
add(cat, "Печенье Юбилейное молочное 112 г", 8000, prefix="460")
add(cat, "Pechenye Tashkent sutli 300 g", 12000)
add(cat, "Vafli Shokoladli 250 g", 14000)
add(cat, "Вафли Артек 250 г", 16000, prefix="460")
add(cat, "Pryanik 400 g", 14000)
add(cat, "Zefir oq-pushti 250 g", 15000)
add(cat, "Pastila olma 200 g", 17000)
add(cat, "Halva kungaboqar 350 g", 16000)
add(cat, "Parvarda 300 g", 12000)
add(cat, "Navvot 300 g", 15000)
add(cat, "Holls limon", 6000)
add(cat, "Orbit yalpiz", 5000)
add(cat, "Orbit qulupnay", 5000)
add(cat, "Chupa Chups", 2000, prefix="590")
add(cat, "Kinder Surprise", 18000, prefix="400")
add(cat, "Kinder Chocolate 100 g", 26000, prefix="400")
add(cat, "Tort Napoleon 500 g", 65000)
add(cat, "Рулет бисквитный 300 г", 18000, prefix="460")

# ---- Snacks ----------------------------------------------------------------------------------
cat = "Gazaklar"
add(cat, "Lays paprika 80 g", 12000, prefix="460")
add(cat, "Lays smetana va ko'kat 80 g", 12000, prefix="460")
add(cat, "Lays tuzli 150 g", 19000, prefix="460")
add(cat, "Pringles original 165 g", 32000, prefix="590")
add(cat, "Чипсы Estrella сметана 130 г", 16000, prefix="460")
add(cat, "Кириешки ржаные 40 г", 4000, prefix="460")
add(cat, "Suxarik 3 Korochki 40 g", 4000, prefix="460")
add(cat, "Kungaboqar pistasi qovurilgan 200 g", 9000)
add(cat, "Yeryong'oq tuzli 100 g", 8000)
add(cat, "Pista 100 g", 30000)
add(cat, "Bodom 100 g", 28000)
add(cat, "Mayiz qora 250 g", 18000)
add(cat, "O'rik qoqisi 250 g", 25000)
add(cat, "Попкорн сладкий 100 г", 9000)

# ---- Canned goods ----------------------------------------------------------------------------
cat = "Konservalar"
add(cat, "Tushonka mol go'shti 325 g", 32000)
add(cat, "Тушенка говяжья ГОСТ 338 г", 38000, prefix="460")
add(cat, "Сайра в масле 250 г", 22000, prefix="460")
add(cat, "Шпроты в масле 160 г", 24000, prefix="460")
add(cat, "Tuna konserva 185 g", 26000, prefix="869")
add(cat, "Ko'k no'xat 400 g", 12000)
add(cat, "Makkajo'xori konserva 340 g", 14000, prefix="869")
add(cat, "Bodring tuzlangan 720 g", 18000)
add(cat, "Pomidor tuzlangan 720 g", 19000)
add(cat, "Lecho 500 g", 17000)
add(cat, "Икра кабачковая 480 г", 15000, prefix="460")
add(cat, "Olivki qora 300 g", 28000, prefix="869")
add(cat, "Shaftoli kompoti 850 g", 26000, prefix="869")

# ---- Frozen and ice cream --------------------------------------------------------------------
cat = "Muzlatilgan"
add(cat, "Chuchvara 1 kg", 42000)
add(cat, "Пельмени Сибирские 800 г", 48000, prefix="460")
add(cat, "Manti muzlatilgan 1 kg", 52000)
add(cat, "Somsa muzlatilgan 6 dona", 30000)
add(cat, "Kotlet tovuq 500 g", 33000)
add(cat, "Muzqaymoq plombir stakan 80 g", 4500)
add(cat, "Muzqaymoq eskimo 70 g", 5000)
add(cat, "Muzqaymoq shokoladli 450 g", 24000)
add(cat, "Мороженое пломбир 80 г", 5500, prefix="460")
add(cat, "Magnum klassik 80 g", 16000, prefix="400")
add(cat, "Sabzavot aralashmasi 400 g", 19000, prefix="590")
add(cat, "Блинчики с мясом 420 г", 29000, prefix="460")

# ---- Meat and sausages (packed) --------------------------------------------------------------
cat = "Kolbasa mahsulotlari"
add(cat, "Kolbasa Doktorskaya 500 g", 45000)
add(cat, "Kolbasa qazi 400 g", 85000)
add(cat, "Kolbasa servelat 350 g", 48000)
add(cat, "Колбаса Докторская 400 г", 42000)
add(cat, "Сосиски молочные 500 г", 38000)
add(cat, "Sosiska tovuq 450 g", 28000)
add(cat, "Sardelka mol go'shti 500 g", 46000)
add(cat, "Ветчина куриная 300 г", 29000)
add(cat, "Tovuq file muzlatilgan 1 kg", 56000)

# ---- Household chemicals ---------------------------------------------------------------------
cat = "Maishiy kimyo"
add(cat, "Ariel kir yuvish kukuni 1,5 kg", 52000, prefix="590")
add(cat, "Tide avtomat 3 kg", 89000, prefix="590")
add(cat, "Persil gel 1,3 l", 78000, prefix="400")
add(cat, "Стиральный порошок Миф 400 г", 18000, prefix="460")
add(cat, "Fairy limon 450 ml", 19000, prefix="590")
add(cat, "Fairy 900 ml", 32000, prefix="590")
add(cat, "AOS idish yuvish 450 g", 15000, prefix="460")
add(cat, "Domestos 1 l", 29000, prefix="590")
add(cat, "Белизна 1 л", 9000, prefix="460")
add(cat, "Comet kukun 475 g", 15000, prefix="590")
add(cat, "Mr. Proper pol uchun 1 l", 32000, prefix="590")
add(cat, "Shisha tozalagich 500 ml", 16000)
add(cat, "Lenor kondisioner 1 l", 39000, prefix="400")
add(cat, "Sovun xo'jalik 200 g", 5000)
add(cat, "Gubka idish uchun 5 dona", 7000)
add(cat, "Axlat paketi 60 l 20 dona", 12000)
add(cat, "Paket mayka 100 dona", 15000)
add(cat, "Gugurt 10 quti", 5000)
add(cat, "Sham 4 dona", 8000)
add(cat, "Batareya AA 4 dona", 22000, prefix="400")
add(cat, "Lampochka LED 10 W", 15000)

# ---- Hygiene ---------------------------------------------------------------------------------
cat = "Gigiyena"
add(cat, "Safeguard sovun 90 g", 8000, prefix="590")
add(cat, "Dove krem-sovun 100 g", 12000, prefix="400")
add(cat, "Мыло детское 90 г", 5000, prefix="460")
add(cat, "Head & Shoulders shampun 400 ml", 56000, prefix="590")
add(cat, "Pantene shampun 400 ml", 52000, prefix="590")
add(cat, "Шампунь Чистая линия 400 мл", 26000, prefix="460")
add(cat, "Colgate tish pastasi 100 ml", 17000, prefix="590")
add(cat, "Blend-a-med 100 ml", 18000, prefix="400")
add(cat, "Tish cho'tkasi o'rtacha", 9000)
add(cat, "Gillette Blue II 5 dona", 26000, prefix="590")
add(cat, "Dezodorant Rexona 150 ml", 35000, prefix="400")
add(cat, "Hojatxona qog'ozi 4 rulon", 12000)
add(cat, "Hojatxona qog'ozi 12 rulon", 33000)
add(cat, "Salfetka 100 dona", 6000)
add(cat, "Nam salfetka 72 dona", 14000)
add(cat, "Qog'oz sochiq 2 rulon", 13000)
add(cat, "Always Ultra 10 dona", 26000, prefix="590")
add(cat, "Ватные диски 80 шт", 9000, prefix="460")
add(cat, "Пластырь 10 шт", 6000, prefix="460")

# ---- Baby goods ------------------------------------------------------------------------------
cat = "Bolalar uchun"
add(cat, "Pampers 3 (6-10 kg) 52 dona", 165000, prefix="590")
add(cat, "Pampers 4 (9-14 kg) 46 dona", 175000, prefix="590")
add(cat, "Huggies 5 (12-22 kg) 42 dona", 170000, prefix="590")
add(cat, "Bolalar nam salfetkasi 64 dona", 16000)
add(cat, "Детское пюре яблоко 100 г", 9000, prefix="460", vat=0)
add(cat, "Bolalar bo'tqasi guruchli 200 g", 32000, prefix="400", vat=0)
add(cat, "Nestogen 2 350 g", 98000, prefix="400", vat=0)
add(cat, "Bolalar sharbati olma 0,2 l", 5000)

# ---- Cigarettes and lighters (no tobacco in the demo: only lighters) -------------------------
cat = "Boshqa"
add(cat, "Zajigalka Cricket", 5000, prefix="400")
add(cat, "Telefon kartasi 10 000", 10000, vat=0)
add(cat, "Gazeta Xalq so'zi", 3000, vat=0)
add(cat, "Газета Правда Востока", 3000, vat=0)
add(cat, "Ruchka ko'k", 2000)
add(cat, "Daftar 48 varaq", 5000)
add(cat, "Скотч 48 мм", 9000)

# ---- Sold by weight: unit kg, a PLU for the scale's barcodes ---------------------------------
plu = 100
for cat, items in (
    ("Meva-sabzavot", (
        ("Olma Golden", 15000), ("Olma qizil", 14000), ("Nok", 22000), ("Banan", 24000),
        ("Apelsin", 26000), ("Mandarin", 24000), ("Limon", 30000), ("Anor", 28000),
        ("Uzum Husayni", 25000), ("Xurmo", 20000), ("Kartoshka", 6000), ("Piyoz", 5000),
        ("Sabzi sariq", 5000), ("Sabzi qizil", 4500), ("Pomidor", 18000), ("Bodring", 14000),
        ("Karam", 4000), ("Qalampir bolgar", 22000), ("Sarimsoq", 30000), ("Lavlagi", 5000),
        ("Kabachok", 9000), ("Baqlajon", 12000), ("Qovun", 8000), ("Tarvuz", 4000),
        ("Яблоки Семеренко", 18000), ("Картофель молодой", 8000), ("Лук репчатый", 5000),
        ("Помидоры сливка", 20000), ("Огурцы", 15000), ("Капуста", 4000))),
    ("Go'sht", (
        ("Mol go'shti lahm", 110000), ("Mol go'shti suyakli", 95000),
        ("Qo'y go'shti", 120000), ("Qiyma mol go'shti", 105000), ("Tovuq butun", 38000),
        ("Tovuq son", 42000), ("Tovuq qanot", 36000), ("Dumba yog'i", 60000),
        ("Говядина мякоть", 112000), ("Фарш говяжий", 105000), ("Куриное филе", 55000))),
    ("Bakaleya", (
        ("Shakar", 14000), ("Guruch Devzira", 30000), ("Guruch Lazer", 23000),
        ("Mosh", 21000), ("No'xat", 19000), ("Un oliy nav", 8000), ("Сахар-песок", 14500),
        ("Kungaboqar urug'i", 18000), ("Yong'oq mag'zi", 90000), ("Konfet assorti", 45000),
        ("Pechenye Mariya", 28000), ("Печенье овсяное", 32000))),
    ("Sut mahsulotlari", (
        ("Pishloq Rossiyskiy", 90000), ("Pishloq Gollandiya", 95000), ("Brynza", 70000),
        ("Tvorog uy", 45000), ("Сыр Российский", 92000), ("Сыр Голландский", 96000),
        ("Sariyog' uy", 110000))),
    ("Kolbasa mahsulotlari", (
        ("Kolbasa Doktorskaya", 85000), ("Kolbasa qazi", 180000),
        ("Колбаса Любительская", 88000), ("Kolbasa tovuq", 55000))),
):
    for name, price in items:
        plu += 1
        # Basic staples by weight (flour, bread goods) are VAT 0 as packed ones are.
        vat = 0 if name.startswith("Un ") else 12
        add(cat, name, price, vat=vat, unit="kg", plu=plu)

fields = ["barcode", "name", "price", "vat", "unit", "sku", "mxik", "category", "stock", "plu"]
w = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
w.writeheader()
for r in rows:
    w.writerow(r)
print("%d products" % len(rows), file=sys.stderr)
