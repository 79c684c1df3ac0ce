"""Word lists for plausible demo data: names, Beijing streets, companies, causes, staff."""

from backend.cases.enums import CaseType

# Common surnames with their pinyin (for e-mail addresses).
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
    ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"),
    ("韩", "han"), ("唐", "tang"), ("冯", "feng"), ("于", "yu"), ("董", "dong"), ("萧", "xiao"),
    ("程", "cheng"), ("曹", "cao"), ("袁", "yuan"), ("邓", "deng"), ("许", "xu"), ("傅", "fu"),
)  # fmt: skip

GIVEN_NAME_CHARS_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国志峰"
GIVEN_NAME_CHARS_FEMALE = "芳娜敏静丽艳娟霞秀英慧巧美淑惠珠翠雅芝玉萍红玲琳云莲真环雪荣爱妹"

# Beijing districts: 6-digit administrative code, name, real streets (house numbers are made up).
BEIJING_DISTRICTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "110101",
        "东城区",
        ("东直门内大街", "朝阳门北大街", "东四十条", "王府井大街", "和平里东街", "崇文门外大街"),
    ),
    (
        "110102",
        "西城区",
        (
            "西长安街",
            "金融大街",
            "德胜门外大街",
            "月坛北街",
            "广安门内大街",
            "阜成门内大街",
            "新街口外大街",
            "白纸坊东街",
            "西直门南大街",
            "复兴门内大街",
        ),
    ),
    (
        "110105",
        "朝阳区",
        ("建国路", "朝阳北路", "东三环中路", "望京街", "酒仙桥路", "劲松路", "工体北路", "亮马桥路"),
    ),
    ("110106", "丰台区", ("丰台北路", "南三环西路", "马家堡东路", "西四环南路", "科学城富丰路")),
    ("110107", "石景山区", ("石景山路", "鲁谷路", "八角西街", "古城大街")),
    ("110108", "海淀区", ("中关村大街", "学院路", "知春路", "海淀大街", "北四环西路", "苏州街", "万泉河路")),
    ("110112", "通州区", ("新华大街", "通胡大街", "玉带河东街", "梨园北街")),
    ("110114", "昌平区", ("回龙观西大街", "府学路", "天通苑北街", "政府街")),
    ("110115", "大兴区", ("兴华大街", "黄村西大街", "亦庄荣华中路", "金星路")),
)

# Birthplace codes of people from outside Beijing (石家庄, 济南, 郑州, 哈尔滨, 合肥, 成都, 保定, 沈阳).
OTHER_REGION_CODES = ("130102", "370102", "410105", "230102", "340103", "510104", "130602", "210102")

COMPANY_TRADE_NAMES = (
    "华信", "中科", "金源", "博远", "京泰", "鼎盛", "恒达", "天宇", "新华联", "瑞丰", "盛世", "宏图",
    "万通", "联创", "安泰", "嘉禾", "富润", "汇通", "长城", "远洋", "正邦", "凯旋", "同达", "乐天",
)  # fmt: skip
COMPANY_INDUSTRIES = (
    "科技", "商贸", "建筑工程", "餐饮管理", "文化传媒", "房地产开发", "信息技术", "医药", "汽车销售",
    "装饰工程", "物流", "教育咨询",
)  # fmt: skip
PROPERTY_COMPANIES = ("北京金隅物业管理有限责任公司", "北京华远物业服务有限公司", "北京首开物业管理有限公司")
HEATING_COMPANIES = ("北京市热力集团有限责任公司", "北京京能热力股份有限公司")
BANK_BRANCHES = (
    "中国工商银行股份有限公司北京西单支行",
    "中国建设银行股份有限公司北京西四支行",
    "招商银行股份有限公司北京分行",
    "北京银行股份有限公司西单支行",
    "中国银行股份有限公司北京西城支行",
)
GOVERNMENT_BODIES = (
    "北京市西城区市场监督管理局",
    "北京市公安局西城分局",
    "北京市西城区人民政府",
    "北京市西城区住房和城市建设委员会",
    "北京市西城区人力资源和社会保障局",
    "北京市规划和自然资源委员会西城分局",
)
LAW_FIRMS = ("北京市金杜律师事务所", "北京市中伦律师事务所", "北京大成律师事务所", "北京市君合律师事务所")

EMAIL_DOMAINS = ("163.com", "126.com", "qq.com", "sina.com", "sohu.com", "foxmail.com")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "158", "159", "173", "176", "177", "178", "180", "181", "185", "186", "187", "188", "189", "199",
)  # fmt: skip

JUDGES = ("李明", "赵强", "孙丽华", "周建国", "吴晓燕", "郑海涛", "王立新", "陈雪梅")
CLERKS = ("王芳", "刘畅", "张晓雨", "杨帆", "马丽", "高远", "林静", "何欣")

# Causes (案由) per case type, each with who usually sues: person, company, bank, property, heating.
CAUSES: dict[CaseType, tuple[tuple[str, str], ...]] = {
    CaseType.civil: (
        ("民间借贷纠纷", "person"), ("离婚纠纷", "person"), ("房屋租赁合同纠纷", "person"),
        ("机动车交通事故责任纠纷", "person"), ("劳动争议", "person"), ("继承纠纷", "person"),
        ("抚养费纠纷", "person"), ("房屋买卖合同纠纷", "person"), ("生命权、身体权、健康权纠纷", "person"),
    ),
    CaseType.commercial: (
        ("买卖合同纠纷", "company"), ("金融借款合同纠纷", "bank"), ("信用卡纠纷", "bank"),
        ("融资租赁合同纠纷", "company"), ("股权转让纠纷", "company"), ("服务合同纠纷", "company"),
        ("建设工程施工合同纠纷", "company"), ("保证合同纠纷", "company"),
    ),
    CaseType.mediation: (
        ("物业服务合同纠纷", "property"), ("供用热力合同纠纷", "heating"), ("信用卡纠纷", "bank"),
        ("民间借贷纠纷", "person"), ("机动车交通事故责任纠纷", "person"), ("劳务合同纠纷", "person"),
    ),
    CaseType.enforcement: (
        ("民间借贷纠纷", "person"), ("金融借款合同纠纷", "bank"), ("买卖合同纠纷", "company"),
        ("劳动争议", "person"), ("物业服务合同纠纷", "property"),
    ),
    CaseType.administrative: (
        ("行政处罚", "person"), ("政府信息公开", "person"), ("行政强制", "person"),
        ("不履行法定职责", "person"), ("行政登记", "company"), ("行政复议", "person"),
    ),
}  # fmt: skip

# 案号 type codes; mediation and 速裁 cases carry 民初 numbers.
CASE_CODES = {
    CaseType.civil: "民初",
    CaseType.commercial: "商初",
    CaseType.mediation: "民初",
    CaseType.administrative: "行初",
    CaseType.enforcement: "执",
}
CASE_TYPE_WEIGHTS = {
    CaseType.civil: 40,
    CaseType.commercial: 25,
    CaseType.mediation: 15,
    CaseType.enforcement: 12,
    CaseType.administrative: 8,
}

# Documents served on the defendant side and on the applicant side, per case type, at filing.
DEFENDANT_DOCUMENTS: dict[CaseType, tuple[str, ...]] = {
    CaseType.enforcement: ("执行通知书", "报告财产令", "执行裁定书"),
    CaseType.administrative: ("起诉状副本", "应诉通知书", "传票"),
}
DEFAULT_DEFENDANT_DOCUMENTS: tuple[str, ...] = ("起诉状副本", "应诉通知书", "举证通知书", "传票")
PLAINTIFF_DOCUMENTS: dict[CaseType, tuple[str, ...]] = {CaseType.enforcement: ("受理案件通知书",)}
DEFAULT_PLAINTIFF_DOCUMENTS: tuple[str, ...] = ("受理通知书", "传票")
# The decision served on every party once the case is decided.
DECISIONS = {
    CaseType.civil: ("民事判决书", "民事裁定书"),
    CaseType.commercial: ("民事判决书", "民事裁定书"),
    CaseType.mediation: ("民事调解书", "民事裁定书"),
    CaseType.administrative: ("行政判决书", "行政裁定书"),
}
