"""Generated Chinese negatives for the math classifier: everyday Chinese text full of numbers.

The Chinese counterpart of :mod:`mathforge.corpus.negative_texts`: varied templates (news, cooking,
sports, travel, product reviews, finance, history, weather, online shopping, health, school news,
software manuals, timetables, property listings, entertainment, forum questions, public notices) are
filled with names, prices, dates, scores, percentages, areas and versions, so that "Chinese text with
numbers" — or a question that asks 多少 — is not what the model learns as math. Each domain's templates
are split, seeded, into training and held-out templates, so the held-out negatives come from sentences
the training never saw.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from mathforge.corpus.negative_texts import join_paragraphs, template_split

__all__ = ["generate_zh_negatives"]


def _alts(words: str) -> list[str]:
    return words.split("|")


_SURNAME = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
_GIVEN = _alts(
    "伟|芳|娜|敏|静|丽|强|磊|军|洋|勇|艳|杰|娟|涛|明|超|秀英|霞|平|刚|桂英|建华|晓东|雨桐|子涵|浩然|"
    "欣怡|宇轩|梓萱|思远|一鸣|嘉怡|俊杰|佳琪|文博|海燕|志刚|婷婷|国庆"
)
_CITY = _alts(
    "北京|上海|广州|深圳|成都|杭州|武汉|西安|南京|重庆|天津|苏州|长沙|郑州|青岛|厦门|昆明|大连|哈尔滨|"
    "贵阳|南宁|合肥|济南|福州|兰州|乌鲁木齐|拉萨|三亚|丽江|桂林"
)
_COUNTRY = _alts(
    "日本|泰国|新加坡|法国|意大利|澳大利亚|加拿大|新西兰|马来西亚|越南|埃及|希腊|西班牙|冰岛|土耳其|"
    "摩洛哥|智利|挪威"
)
_TEAM = _alts("队|男篮|女排|足球俱乐部|女足|乒乓球队")
_COMPANY = _alts(
    "华鑫科技|远航集团|星河电子|蓝海物流|天成地产|瑞丰银行|新锐汽车|云帆软件|金穗食品|恒通证券|鼎盛能源|"
    "青禾农业|光年传媒|晨曦医药|九州航空"
)
_PRODUCT = _alts(
    "手机|笔记本电脑|扫地机器人|空气炸锅|电动自行车|智能手表|蓝牙耳机|电饭煲|洗碗机|平板电脑|投影仪|"
    "净水器|空调|冰箱|运动相机"
)
_DISH = _alts(
    "红烧肉|宫保鸡丁|番茄炒蛋|麻婆豆腐|糖醋排骨|酸菜鱼|清蒸鲈鱼|葱油饼|韭菜盒子|可乐鸡翅|水煮牛肉|蛋炒饭|"
    "银耳莲子羹|凉拌黄瓜|鱼香肉丝"
)
_ING = _alts(
    "五花肉|鸡蛋|番茄|嫩豆腐|生抽|老抽|料酒|白糖|冰糖|姜片|葱段|蒜末|中筋面粉|玉米淀粉|花椒|干辣椒|香菇|"
    "鸡翅|排骨|青椒|土豆|胡萝卜|香醋|蚝油|食盐"
)
_UNIT = _alts("克|勺|汤匙|小勺|毫升|个|根|片|瓣|碗|斤")
_TOPIC = _alts(
    "老旧小区改造|垃圾分类|地铁延长线|停车难|菜市场搬迁|夜市经营|城市绿道建设|供暖费调整|共享单车管理|"
    "社区食堂|河道治理|学校周边交通"
)
_ERA = _alts("唐朝|宋代|明朝|清代|汉代|北魏|元朝|春秋时期|战国时期|隋朝|南宋|晚清")
_TOOL = _alts("Docker|Git|Python|MySQL|Nginx|Redis|Linux|Node.js|Vue|Kubernetes|PostgreSQL|Java")
_DISTRICT = _alts("朝阳|海淀|浦东|天河|武侯|西湖|江汉|雁塔|鼓楼|南山|锦江|和平")
_ROAD = _alts("人民|解放|中山|建设|长江|黄河|和平|文化|新华|滨江")
_WEEKDAY = _alts("周一|周二|周三|周四|周五|周六|周日|星期一|星期三|星期五|星期六|星期天")
_VERB = _alts("击败|战胜|险胜|大胜|逆转|力克|负于|惜败于")
_FESTIVAL = _alts("春节|清明|五一|端午|中秋|国庆|元旦|暑假")


def _price(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(3, 500)}元",
            f"{r.randint(10, 9999)}元",
            f"¥{r.randint(1, 300)}.{r.choice(['9', '99', '5', '00'])}",
            f"{r.randint(2, 80)}块钱",
            f"人民币{r.randint(100, 50000)}元",
        ]
    )


def _money(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(1, 999)}亿元",
            f"{r.randint(1, 99)}.{r.randint(1, 9)}亿元",
            f"{r.randint(10, 9999)}万元",
            f"{r.randint(1, 30)}亿美元",
        ]
    )


def _date(r: random.Random) -> str:
    y, m, d = r.randint(1995, 2025), r.randint(1, 12), r.randint(1, 28)
    return r.choice([f"{y}年{m}月{d}日", f"{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{m}月{d}号"])


def _time(r: random.Random) -> str:
    h, m = r.randint(6, 22), r.choice(["00", "15", "30", "45", "05", "50"])
    return r.choice([f"{h}:{m}", f"{r.choice(['上午', '下午', '晚上'])}{r.randint(1, 11)}点", f"{h}点{m}分"])


def _big(r: random.Random) -> str:
    return r.choice(
        [f"{r.randint(1_000, 250_000):,}", f"{r.randint(1, 99)}.{r.randint(1, 9)}万", f"{r.randint(2, 50)}万"]
    )


_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "name": lambda r: r.choice(_SURNAME) + r.choice(_GIVEN),
    "sur": lambda r: r.choice(_SURNAME),
    "city": lambda r: r.choice(_CITY),
    "country": lambda r: r.choice(_COUNTRY),
    "team": lambda r: r.choice(_CITY) + r.choice(_TEAM),
    "company": lambda r: r.choice(_COMPANY),
    "product": lambda r: r.choice(_PRODUCT),
    "dish": lambda r: r.choice(_DISH),
    "ing": lambda r: r.choice(_ING),
    "unit": lambda r: r.choice(_UNIT),
    "topic": lambda r: r.choice(_TOPIC),
    "era": lambda r: r.choice(_ERA),
    "tool": lambda r: r.choice(_TOOL),
    "wd": lambda r: r.choice(_WEEKDAY),
    "verb": lambda r: r.choice(_VERB),
    "fest": lambda r: r.choice(_FESTIVAL),
    "d": lambda r: str(r.randint(2, 9)),
    "dd": lambda r: str(r.randint(10, 99)),
    "ddd": lambda r: str(r.randint(100, 999)),
    "big": _big,
    "year": lambda r: str(r.randint(600, 1911)),
    "ryear": lambda r: str(r.randint(1995, 2025)),
    "pct": lambda r: f"{r.randint(1, 95)}{r.choice(['', '.5', '.2', '.8', '.3'])}%",
    "price": _price,
    "money": _money,
    "date": _date,
    "time": _time,
    "score": lambda r: f"{r.randint(85, 130)}比{r.randint(80, 125)}",
    "goals": lambda r: f"{r.randint(0, 5)}比{r.randint(0, 4)}",
    "temp": lambda r: f"{r.randint(-15, 39)}℃",
    "version": lambda r: f"{r.randint(1, 19)}.{r.randint(0, 30)}.{r.randint(0, 12)}",
    "gb": lambda r: f"{r.choice([4, 8, 12, 16, 32, 64, 128, 256, 512])}GB",
    "km": lambda r: f"{r.randint(2, 900)}公里",
    "area": lambda r: f"{r.randint(35, 260)}平方米",
    "phone": lambda r: r.choice(
        [
            f"1{r.randint(30, 99)}{r.randint(1000, 9999)}{r.randint(1000, 9999)}",
            f"400-{r.randint(100, 999)}-{r.randint(1000, 9999)}",
        ]
    ),
    "addr": lambda r: f"{r.choice(_DISTRICT)}区{r.choice(_ROAD)}路{r.randint(1, 999)}号",
    "train": lambda r: r.choice(["G", "D", "K", "Z"]) + str(r.randint(10, 9999)),
    "rank": lambda r: f"第{r.randint(1, 30)}名",
    "dur": lambda r: f"{r.randint(2, 4)}小时{r.randint(0, 59)}分{r.randint(0, 59)}秒",
    "port": lambda r: str(r.choice([80, 443, 3000, 3306, 5432, 6379, 8000, 8080])),
    "var": lambda r: r.choice(["config", "data", "user_id", "items", "result", "logs", "cache"]),
}

# Sentence templates per domain. Held-out generated negatives use only templates the training never saw.
_DOMAINS: dict[str, list[str]] = {
    "sports": [
        "{wd}晚进行的比赛中，{team}以{score}{verb}{team}，{name}全场拿下{dd}分{d}个篮板。",
        "{name}在第{dd}分钟打进点球，帮助{team}主场{goals}取胜，现场球迷约{big}人。",
        "本赛季{team}目前战绩为{dd}胜{dd}负，排名联盟{rank}。",
        "{city}马拉松{wd}鸣枪开跑，{name}以{dur}的成绩打破赛会纪录。",
        "主教练{sur}指导赛后表示，球队最近两场丢了{d}个球，防守必须加强。",
        "世界排名{rank}的{name}以{d}比{d}、{d}比{d}的比分夺得冠军，用时不到{d}个小时。",
        "{date}的德比战门票{price}起售，俱乐部预计将有{big}名观众入场。",
        "转会费高达{money}，{name}成为{team}历史上最贵的引援。",
        "{name}今年{dd}岁，{ryear}年入选国家队，共参加过{d}届奥运会。",
    ],
    "recipe": [
        "烤箱预热到{ddd}度，烤盘铺好油纸，放入中层烤{dd}分钟。",
        "准备{ing}{ddd}克、{ing}{d}{unit}、{ing}适量，{ing}{d}{unit}。",
        "锅中倒油烧至六成热，下{ing}和{ing}炒香，再加入{ing}翻炒{d}分钟。",
        "这道{dish}可以做{d}人份，放冰箱冷藏能保存{d}天。",
        "小火慢炖{dd}分钟，中途翻动一次，出锅前加{d}{unit}{ing}调味。",
        "做{dish}的关键是火候，我奶奶每年{fest}都会做这道菜。",
        "准备时间：{dd}分钟；烹饪时间：{dd}分钟；每份热量约{ddd}千卡。",
        "如果家里没有{ing}，可以用{d}{unit}{ing}代替，味道差别不大。",
        "{ing}提前用清水泡{dd}分钟，沥干后切成{d}厘米左右的小段。",
    ],
    "travel": [
        "{fest}期间从{city}飞{city}的往返机票{price}起，提前{dd}天预订更便宜。",
        "{city}古城适合步行游览，大部分景点都在{km}范围内。",
        "博物馆开放时间为{time}至{time}，每周一闭馆，门票{price}。",
        "我们在{country}待了{d}晚，沿着海岸线自驾了大约{km}。",
        "旺季时海边酒店的双人间每晚大约{price}，含双早。",
        "从火车站坐{dd}路公交车，大约{dd}分钟就能到景区门口，票价{d}元。",
        "{d}月份{city}的平均气温在{temp}左右，早晚温差大，记得带件外套。",
        "{train}次列车{time}从{city}站发车，全程约{d}个小时，二等座{price}。",
        "导游{name}从{ryear}年开始带团，会说{d}种语言，人很热情。",
    ],
    "tech": [
        "{company}新款{product}配备{gb}内存，售价{price}起，{date}正式开售。",
        "{tool} {version}版本修复了{dd}个问题，并不再支持旧版{tool}。",
        "{company}上季度营收{money}，同比增长{pct}。",
        "实测这款{product}续航达到{dd}小时，比上一代提升了{pct}。",
        "公司首席技术官{name}表示，这次故障影响了约{pct}的用户，持续{dd}分钟。",
        "这家初创公司完成了{money}的B轮融资，由{company}领投。",
        "跑分显示新芯片单核性能提升{pct}，功耗只有{dd}瓦。",
        "{wd}{time}开启预约，{gb}版本售价{price}，{d}月份发货。",
    ],
    "finance": [
        "{company}股价早盘上涨{pct}，报{price}，成交额{money}。",
        "央行宣布一年期贷款市场报价利率维持{pct}不变。",
        "本周房贷利率降至{pct}，为{ryear}年以来的最低水平。",
        "这只基金去年收益率为{pct}，跑赢同类平均水平。",
        "{company}计划在{d}月底前裁员{big}人，约占员工总数的{pct}。",
        "分析师预计{company}全年净利润约{money}，每股收益{price}。",
        "部分银行的大额存单利率已经下调到{pct}，起存金额{price}。",
        "此次收购对{company}的估值为{money}，较周五收盘价溢价{pct}。",
    ],
    "news": [
        "{city}市人大常委会{wd}以{dd}票赞成通过了{money}的{topic}方案。",
        "警方通报，{time}左右{addr}发生一起交通事故，{d}人受伤送医。",
        "关于{topic}的问题，已有{big}名居民在网上留言。",
        "{name}市长表示，工程将于{d}月开工，预计工期{dd}个月。",
        "截至{wd}晚，{city}仍有{pct}的住户没有恢复供电。",
        "案件预计审理{d}周，共有{dd}名证人出庭作证。",
        "居民可在{date}前拨打{phone}反映对{topic}的意见。",
        "{date}发布的报告显示，有关{topic}的投诉比{ryear}年增加了{pct}。",
        "今年{dd}岁的{name}在这条街上住了{dd}年，他说这几年变化很大。",
    ],
    "history": [
        "{year}年，{era}朝廷派出一支{ddd}人的使团，行程{km}。",
        "这场战争从{year}年持续到{year}年，改变了整个地区的格局。",
        "这座寺庙始建于{year}年，直到{year}年才全部完工。",
        "据史书记载，{era}的{city}城内人口一度达到{big}。",
        "{date}签订的和约结束了两国之间长达{dd}年的冲突。",
        "{era}的商队带着丝绸、瓷器和茶叶，穿越{km}的沙漠和山地。",
        "{ryear}年在老宅阁楼里发现的日记，详细记录了{year}年那个冬天的见闻。",
        "到{year}年，{era}的军队已有约{big}人，分驻在{dd}个州府。",
    ],
    "weather": [
        "{wd}白天最高气温{temp}，最低气温{temp}，降水概率{pct}。",
        "西北风{d}到{d}级，预计{time}以后逐渐减弱。",
        "{city}{d}小时内降雨量达到{dd}毫米，为{ryear}年以来同期最多。",
        "气象台发布寒潮蓝色预警，{wd}起气温将下降{d}到{dd}摄氏度。",
        "受台风影响，{date}当天{city}共有{ddd}个航班取消。",
        "未来{d}天空气湿度保持在{pct}左右，{wd}会有一次冷空气过程。",
    ],
    "shopping": [
        "这款{company}{product}现在只要{price}，比原价便宜了{price}，活动到{date}截止。",
        "累计{big}条评价，好评率{pct}，差评主要集中在物流太慢。",
        "满{price}包邮，支持{d}天无理由退换货。",
        "下单时输入优惠码SALE{dd}，首单立减{pct}。",
        "库存只剩{d}件，{d}小时内下单{wd}前送达。",
        "{d}月份买的{product}，用了{d}个月还跟新的一样，推荐。",
        "尺寸{dd}×{dd}×{d}厘米，重量{d}.{d}千克，保修{d}年。",
        "{product}和{product}一起买可以再省{price}，先到先得。",
    ],
    "health": [
        "成年人每周至少进行{ddd}分钟中等强度运动，分{d}天以上完成。",
        "每天喝{d}杯水、睡够{d}个小时，对身体恢复很有帮助。",
        "这项研究跟踪了{big}名成年人长达{dd}年，发现心脏病风险降低了{pct}。",
        "每次{dd}毫克，每日两次，饭后服用，{dd}小时内不要超过{d}次。",
        "{sur}医生建议血糖偏高的患者晚饭后散步{dd}分钟。",
        "位于{addr}的社区医院{wd}{time}到{time}免费接种流感疫苗。",
        "这套{d}周训练计划包括{dd}分钟力量训练和{d}个休息日。",
    ],
    "school": [
        "{city}第{dd}中学今年招收新生{ddd}人，新聘教师{dd}名。",
        "全市中考将于{date}举行，考生需提前{dd}分钟进入考场。",
        "学校数学组的{name}老师从教{dd}年，今年被评为市级优秀教师。",
        "{dd}岁的高二学生{name}凭借关于河流污染的课题获得省科技创新大赛一等奖。",
        "暑期夏令营{date}开始报名，每期费用{price}，另设{dd}个助学名额。",
        "这所大学今年共录取{big}名新生，录取率约{pct}。",
        "期末家长会定在{wd}{time}，地点在教学楼{d}楼会议室。",
        "{ryear}年起，{city}小学课后服务延长到{time}，每月收费{price}。",
    ],
    "software": [
        "执行 docker run -d -p {port}:{port} --name web {tool}:{version} 启动服务。",
        "安装完成后，在终端输入 git --version，若显示版本号 {version} 即表示安装成功。",
        "配置文件中把 max_connections 改为 {ddd}，然后重启服务使修改生效。",
        "如果出现“端口 {port} 已被占用”的报错，可以先用 lsof -i:{port} 找到对应进程。",
        "{tool} {version} 起默认开启缓存，缓存大小为 {dd}MB，可在设置中关闭。",
        "升级前请先备份数据库，整个过程大约需要 {dd} 分钟，期间服务不可用。",
        "在 {var}.yaml 中设置 replicas: {d}，内存上限 {ddd}Mi。",
        "本手册适用于 {tool} {version} 及以上版本，旧版本用户请先升级。",
        "打开“设置 > 账户 > 安全”，输入 {d} 位验证码即可完成绑定。",
        "# 计算订单总金额（单位：元）\ntotal = sum(item.price * item.qty for item in order.items)\nprint('合计', total)",
        "for i in range(0, len({var}), {dd}):\n    batch = {var}[i:i + {dd}]  # 每批处理 {dd} 条\n    save(batch)",
        "cache_ttl = {d} * 60 * 60  # 缓存 {d} 小时\nredis.setex(key, cache_ttl, value)",
        "if retry_count > {d}:\n    delay = min(delay * 2, {ddd})  # 指数退避，最长等待 {ddd} 秒\n    time.sleep(delay)",
        "// 分页查询，每页 {dd} 条\nconst offset = (page - 1) * pageSize;\nconst rows = await db.query(sql, [pageSize, offset]);",
        "progress = done / total * 100\nprint('已完成 %.1f%%' % progress)  # 每处理 {ddd} 条打印一次进度",
        "elapsed = (time.time() - start) * 1000\nlogger.info('接口耗时 %.1f 毫秒', elapsed)  # 超过 {ddd} 毫秒告警",
        "timeout = base_timeout + {d} * attempt  # 每次重试多等 {d} 秒\nresp = requests.get(url, timeout=timeout)",
        "把 worker 数从 {d} 调到 {dd} 之后，接口的 p99 延迟从 {ddd} 毫秒降到了 {dd} 毫秒。",
        "内存占用 = 缓存条目数 × 每条平均大小，按 {big} 条、每条 {d}KB 估算，{gb} 的机器够用。",
    ],
    "schedule": [
        "{wd}{time}开始检票，{time}准时开演，演出时长约{dd}分钟。",
        "地铁{d}号线工作日每隔{d}分钟一班，末班车{time}从{city}站发出。",
        "{train}次列车{time}从{city}出发，{time}到达{city}，在{d}号站台上车。",
        "办公时间为{wd}至{wd}{time}至{time}，咨询电话{phone}。",
        "报名截止到{date}，会议为期{d}天，共安排{dd}场报告和{d}场讨论。",
        "因{fest}放假，{date}这一周的垃圾清运改到{wd}。",
        "训练时间为每周二、四的{time}到{time}，地点在{addr}的体育场。",
    ],
    "realestate": [
        "这套{d}室{d}厅的房子位于{addr}，建筑面积{area}，挂牌价{dd}0万元。",
        "{city}的平均房租在过去一年上涨了{pct}，达到每月{price}。",
        "这套公寓挂出后仅{d}天就以{money}成交。",
        "物业费每月每平方米{d}.{d}元，车位另租，每月{price}。",
        "小区绿化率{pct}，共{dd}栋楼，{big}户，距离地铁站约{ddd}米。",
        "{wd}{time}到{time}开放看房，联系人{name}，电话{phone}。",
        "二手房南北通透，{area}，{ryear}年建成，满五唯一。",
    ],
    "entertainment": [
        "这部电影上映首周票房达到{money}，比预期高出{pct}。",
        "{name}的新专辑上线一周播放量突破{big}次，登上榜单{rank}。",
        "这部剧第{d}季将于{date}开播，共{dd}集，每集约{dd}分钟。",
        "{name}巡回演唱会{dd}城门票{wd}{time}开售，票价{price}起。",
        "音乐节{d}天吸引了{big}名观众，主办方表示明年还会继续办。",
        "豆瓣评分{d}.{d}分，话剧将在{city}大剧院演到{date}。",
        "{dd}岁的{name}在剧中饰演一位离开{city}{dd}年后回乡的退休警察。",
    ],
    "forum": [
        "请问从{city}到{city}的高铁票多少钱？二等座是{price}吗？",
        "楼主{ryear}年买的{product}，现在开机要{dd}秒，是不是该换了？",
        "有没有人知道{city}哪里修{product}便宜？上次去售后报价{price}，感觉太贵了。",
        "{fest}回老家一共花了{price}，光高速费就{price}，大家都花了多少？",
        "新手求助：{tool}装到第{d}步一直报错，错误码{ddd}，怎么解决？",
        "我家孩子{d}岁，每天看{dd}分钟动画片，这样算多吗？",
        "刚面试完{company}，一共{d}轮，等了{dd}天才出结果，薪资比现在高{pct}。",
        "这家店人均{price}，排队排了{dd}分钟，味道一般，不推荐。",
    ],
    "qa": [
        "月薪{dd}000在{city}租房，房租占工资的多少比较合适？大家一般怎么安排？",
        "孩子{d}岁了晚上还要{d}点以后才睡，会不会影响长个子？",
        "手机用了{d}年，电池健康度只剩{dd}%，是换电池还是直接换新机？",
        "{ryear}年的车开了{d}万公里，现在卖大概能卖多少钱？",
        "第一次去{country}旅游，带多少现金合适？当地刷卡方便吗？",
        "每天跑步{d}公里坚持了{d}个月，体重一点没变，是哪里出了问题？",
        "家里{area}的房子装修，预算{dd}万够不够？有没有过来人说说？",
        "{d}个月的宝宝一天喝多少毫升奶才算正常？我家的每次只喝{dd}毫升。",
        "考研还剩{ddd}天，现在开始复习英语来得及吗？",
        "狗狗{d}岁了，最近一天只吃一顿饭，需要带去医院看看吗？",
        "{company}的offer给了{dd}万年薪，要不要放弃现在的工作跳过去？",
        "信用卡逾期了{d}天，还了以后会不会影响买房贷款？",
        "冰箱冷藏室应该调到几度？我家的一直开在{d}度，菜放{d}天就坏了。",
        "坐{train}次列车从{city}到{city}要多久？中途停几站？",
        "炖排骨一般要多少分钟？用高压锅的话{dd}分钟够吗？",
        "{city}哪家医院看皮肤科比较好？挂号费大概多少钱？",
        "装修完多久能入住？我家通风了{d}个月，甲醛检测还是超标。",
        "{product}选{gb}还是{gb}的？平时就刷刷视频，偶尔玩玩游戏。",
        "本人{dd}岁，工作{d}年，存款{dd}万，想回老家{city}发展，靠谱吗？",
        "驾照扣了{d}分，还有几天到期，怎么处理最快？",
        "宝宝{d}个月了还不会翻身，正常吗？需要去医院检查吗？",
        "{fest}去{city}玩{d}天，住哪个区交通方便一点？",
        "公积金每个月交{ddd}元，贷款最多能贷多少？要准备哪些材料？",
        "减肥期间晚上{d}点以后还能吃水果吗？吃多少合适？",
        "买二手房要交哪些税？总价{ddd}万的房子大概要多交几万？",
        "猫咪{d}岁了，一天要喂几次？每次喂多少克猫粮？",
        "高考{ddd}分能上{city}的哪些大学？想学计算机专业。",
        "新买的{product}充电充到{dd}%就充不进去了，是质量问题吗？",
        "跑完半马第二天膝盖疼，要休息几天才能继续训练？",
        "出国读研一年要花多少钱？{country}和{country}哪个性价比高？",
        "租房合同还有{d}个月到期，提前退租押金能退多少？",
        "老人{dd}岁了血压{ddd}，每天吃几片降压药合适？要听医生的吗？",
        "公司说试用期{d}个月，工资打八折，这样合法吗？",
        "烤蛋糕的时候烤箱要预热几分钟？{ddd}度会不会太高？",
        "坐飞机随身行李最多能带几公斤？充电宝{dd}000毫安能带吗？",
        "小区停车费一个月{ddd}元，物业说明年还要涨，业主能不能拒绝？",
    ],
    "help": [
        "这种情况算不算工伤？公司只肯赔{price}，我还在医院住了{dd}天。",
        "问题已经解决了，原来是路由器的问题，重启了{d}次才恢复正常。",
        "求推荐{city}好吃的火锅店，{d}个人，人均{price}以内。",
        "第{d}步：打开控制面板，找到“网络和共享中心”，点击“更改适配器设置”。",
        "如果第{d}步提示权限不足，请用管理员身份重新运行安装程序，一般就能解决。",
        "相关部门表示，将在{d}个月内解决{topic}的问题，并公布处理进度。",
        "打算{fest}去{city}玩{d}天，求一份不走回头路的攻略。",
        "客服说退款要{d}到{dd}个工作日到账，已经等了{dd}天了，还算正常吗？",
        "试了网上说的{d}种方法都没用，最后恢复出厂设置才解决，数据全没了。",
        "{ryear}年的老房子算不算学区房？中介说对口{city}第{dd}小学。",
        "求助：微信突然登不上，提示错误代码{ddd}，换了{d}部手机都一样。",
        "经验分享：办护照一共跑了{d}趟，材料准备齐全的话{dd}个工作日就能拿到。",
    ],
    "notice": [
        "因管道检修，{date}{time}至{time}{addr}一带将暂停供水，请居民提前储水。",
        "本次活动名额{dd}个，报名请在{date}前将材料发送至指定邮箱。",
        "根据通知，{fest}假期从{date}开始，共放假{d}天，{date}正常上班。",
        "办理居住证需要带好身份证原件和{d}张一寸照片，工作日{time}前到窗口办理。",
        "自{date}起，{city}市区停车收费调整为首小时{price}，之后每小时{price}。",
        "社区{wd}组织义诊活动，{dd}岁以上老人可免费测量血压。",
        "遗失声明：本人{name}于{date}在{addr}附近遗失钱包一个，内有证件{d}张。",
    ],
}

_HEADLINES = [
    "{city}{topic}最新进展",
    "{wd}要闻速览",
    "{company}动态",
    "周末去哪儿：{city}",
    "测评：{company}{product}",
    "{team}赛后观察",
    "本周菜谱：{dish}",
    "{country}游记（{d}）",
]

# Page chrome of Chinese sites (navigation, paging, bylines, licences): short text with numbers that a
# page with little content consists of. Used in training only.
_CHROME = [
    "当前位置：网站首页 > {topic} > 正文",
    "首页 > 新闻中心 > {city}新闻",
    "共{ddd}条结果，当前第{d}页，共{dd}页",
    "上一页 1 2 3 4 5 下一页 尾页",
    "发布时间：{date} {time}　浏览次数：{big}",
    "责任编辑：{name}　来源：{company}",
    "版权所有 © {ryear} {company} 保留所有权利　京ICP备{ddd}{ddd}{dd}号",
    "上一篇：{city}{topic}最新进展　下一篇：{company}动态",
    "扫一扫，关注{company}官方公众号",
    "热门标签：{dish} {product} {city}旅游 {team}",
    "评论（{dd}）　点赞（{ddd}）　分享到：微信 微博 QQ空间",
    "客服热线：{phone}（工作日 {time}—{time}）",
    "更新至第{dd}集　类型：剧情　地区：{country}　年份：{ryear}",
    "最新入库　排行榜　{topic}专题　全部分类（{big}）",
]


def _fill(template: str, r: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _SLOTS[m.group(1)](r), template)


# Everyday questions with numbers ("带多少现金合适？") are the negatives closest to word problems: the training
# draws them more often. Held-out texts draw every domain equally.
_TRAIN_WEIGHTS = {"qa": 3.0, "forum": 2.0, "help": 2.0}


def generate_zh_negatives(n: int, seed: int = 0, heldout: bool = False) -> list[str]:
    """``n`` Chinese non-math texts built from the domain templates (the training or the held-out
    templates). Each text: an optional headline, then 2–8 sentences of one domain (a few mixed with
    another), in one to three paragraphs; at most 1500 characters, full of numbers, prices and dates.
    Training texts draw the everyday-question domains more often (``_TRAIN_WEIGHTS``), and one in five
    is short: a single sentence, or a few lines of page chrome (navigation, paging, bylines)."""
    train, held = template_split(_DOMAINS, seed, prefix="zh/")
    temps = held if heldout else train
    r = random.Random(f"zh-negatives:{seed}:{heldout}")
    domains = sorted(temps)
    weights = [1.0 if heldout else _TRAIN_WEIGHTS.get(d, 1.0) for d in domains]
    out: list[str] = []
    short = random.Random(f"zh-negatives-short:{seed}")
    while len(out) < n:
        if not heldout and short.random() < 0.2:
            if short.random() < 0.5:
                out.append(_fill(short.choice(temps[short.choice(domains)]), short))
            else:
                out.append("\n".join(_fill(t, short) for t in short.sample(_CHROME, short.randint(1, 4))))
            continue
        dom = r.choices(domains, weights)[0]
        k = r.randint(2, 8)
        sents = [_fill(r.choice(temps[dom]), r) for _ in range(k)]
        if r.random() < 0.2:
            other = r.choice(domains)
            sents.insert(r.randrange(len(sents) + 1), _fill(r.choice(temps[other]), r))
        text = join_paragraphs(sents, r, "\n" if dom == "software" else "")
        if r.random() < 0.3:
            text = _fill(r.choice(_HEADLINES), r) + "\n\n" + text
        out.append(text[:1500])
    return out
