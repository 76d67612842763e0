#!/usr/bin/env python3
"""Makes the import fixtures of Tests/BulletinTests/Fixtures/import/genres/ from the texts written below.

One folder per genre (jianbao, jianxun, tongbao, hongheibang, tongzhi), each with source.docx (python-docx,
real Word formatting), source.pdf (LibreOffice from that DOCX), source.txt (pdftotext of the PDF, or for
jianxun text as copied from a web page) and expected.yaml (what a correct import gives; the format is read by
scripts/import_check.py). Plus scanned/: an image-only PDF of the first page of jianbao's PDF, its truth.txt
and expected.yaml.

Needs: python-docx, Pillow, LibreOffice (soffice), poppler-utils (pdftotext, pdftoppm), fonts-noto-cjk.
Run from anywhere:  python3 Tests/BulletinTests/Fixtures/import/genres/make_fixtures.py [genre ...]
CI does not run it; the files it writes are committed.
"""

import datetime
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from docx import Document
from docx.enum.section import WD_SECTION_START  # noqa: F401  (kept for readers extending the layout)
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------------------
# The bulletins. Each is a list of blocks; a block is a tuple whose first item says what it is:
#   ("confidential", text)      内部资料 line above the masthead
#   ("series", text, size)      red 版头 (series name or issuing office), centred
#   ("centre", text)            a centred masthead line (第N期, （总第N期）, 文号)
#   ("pubdate", left, right)    publisher and date on one line (right-aligned tab), red rule below
#   ("docno", text)             文号, centred, red rule below
#   ("title", text[, size])     title, bold, centred (several consecutive "title" blocks = a title on several lines)
#   ("salutation", text)        主送机关 line, not indented (a body paragraph)
#   ("h2", text) / ("h3", text) headings on their own lines
#   ("p", text)                 body paragraph, first line indented two characters
#   ("runin", lead, rest)       body paragraph opening with a bold lead sentence (简讯 item)
#   ("table", rows, widths_mm)  Word table, first row the header
#   ("blank",)                  an empty paragraph
#   ("attachment", text)        附件 line(s) (first one starts with 附件：)
#   ("sign", text)              落款 line (issuer or date), right-aligned
#   ("rule",)                   版记 rule (black bottom border)
#   ("banji", text)             版记 line (报：/送：/发：/抄送：)
#   ("printed", left, right)    印发 line: office left, date right
#   ("copies", text)            （共印N份）, right-aligned
#   ("imprint", text)           small imprint line (准印号, 责任编辑, 投稿邮箱)
# ---------------------------------------------------------------------------------------------------------

JIANBAO = [
    ("confidential", "内部资料  注意保存"),
    ("series", "精神文明建设简报", 44),
    ("centre", "第9期"),
    ("centre", "（总第186期）"),
    ("pubdate", "临江市文明办编", "2019年6月12日"),
    ("title", "我市扎实推进新时代文明实践中心建设"),
    ("p", "今年以来，我市认真贯彻落实中央和省委关于建设新时代文明实践中心的决策部署，把文明实践中心建设作为"
          "推动习近平新时代中国特色社会主义思想深入人心、落地生根的重要抓手，坚持试点先行、以点带面、整体推进，"
          "全市新时代文明实践工作取得阶段性成效。"),
    ("h2", "一、坚持高位推动，构建全域覆盖的组织体系"),
    ("h3", "（一）强化组织领导。"),
    ("p", "市委成立由市委书记任组长的新时代文明实践中心建设工作领导小组，制定出台《临江市新时代文明实践中心"
          "建设试点工作实施方案》，明确“六个一”建设标准，建立市级统筹、区县主抓、镇街落实、村社执行的四级工作"
          "体系。各区、县（市）均由党委书记担任文明实践中心主任，形成了一把手亲自抓、分管领导具体抓的工作格局。"),
    ("h3", "（二）完善阵地网络"),
    ("p", "按照“有场所、有队伍、有活动、有项目、有机制”的要求，统筹整合党群服务中心、农村文化礼堂、综合文化站"
          "等现有资源，推动阵地共建共享。截至5月底，全市已建成新时代文明实践中心6个、实践所72个、实践站1128个，"
          "实践站覆盖率达到93.6%，较去年同期提高2.3个百分点。"),
    ("h2", "二、聚焦群众需求，打造精准对接的服务模式。"),
    ("h3", "（一）推行“群众点单”服务。"),
    ("p", "依托“文明临江”微信公众号和志愿服务信息平台，建立“群众点单、中心派单、志愿者接单、群众评单”的服务"
          "闭环，全市累计接收群众“点单”需求4.2万条，办结率达97.8%。西湖区在全区推广“15分钟文明实践服务圈”，"
          "让群众在家门口就能享受到理论宣讲、文化惠民、健康义诊等各类服务。"),
    ("h3", "（二）壮大志愿服务队伍。"),
    ("p", "组建理论政策宣讲、文化文艺服务、助学支教、医疗健身、科学普及、法律服务等六大志愿服务队伍，全市注册"
          "志愿者达到38.6万名，开展各类文明实践活动1.2万场次。东城区组建“红色宣讲团”，深入社区、企业、学校"
          "开展“百姓名嘴”微宣讲活动320余场，受众2.6万人次。"),
    ("h2", "三、下一步工作打算"),
    ("p", "下一步，我市将对照中央和省里的要求，进一步完善工作机制，丰富活动载体，加强督促检查，把新时代文明实践"
          "中心建成群众身边的精神家园。一是抓好示范带动，年内再培育市级示范实践所20个、示范实践站100个；二是抓好"
          "项目培育，每个区、县（市）至少打造3个具有地方特色的文明实践品牌项目；三是抓好考核评估，将文明实践工作"
          "纳入全市文明创建年度考核内容，确保各项任务落到实处。"),
    ("blank",),
    ("rule",),
    ("banji", "报：省文明办，市委、市人大、市政府、市政协领导"),
    ("banji", "送：市文明委各成员单位"),
    ("banji", "发：各区、县（市）文明办，市直各单位"),
    ("rule",),
    ("printed", "临江市文明办", "2019年6月12日印发"),
    ("copies", "（共印500份）"),
    ("imprint", "准印号：临新出内准字（2019）第012号"),
    ("imprint", "责任编辑：李晓红    投稿专用邮箱：ljwmjb@163.com"),
]

JIANXUN_ITEMS = [
    ("东城区开展“文明交通”劝导活动。",
     "8月以来，东城区组织200余名志愿者在辖区12个主要路口开展“文明交通”劝导活动，重点劝导行人闯红灯、非机动车"
     "逆行、机动车不礼让斑马线等不文明交通行为。活动中，志愿者共劝导各类交通违法行为3600余人次，发放宣传资料"
     "5000余份，市民文明出行意识明显增强。（东城区文明办）"),
    ("西湖区举办第三届“邻里节”。",
     "8月12日，西湖区第三届“邻里节”在湖滨社区文化广场开幕。本届邻里节以“邻里守望、和谐共享”为主题，将持续"
     "一个月，其间各社区将开展邻里百家宴、旧物交换、才艺展示等活动60余场，进一步拉近邻里距离，营造和谐融洽的"
     "社区氛围。（西湖区文明办）"),
    ("南湖县表彰首批“星级文明户”。",
     "近日，南湖县对评选出的1256户“星级文明户”进行集中挂牌表彰。该县以爱国守法、诚信友善、勤劳致富、孝老爱亲、"
     "移风易俗等为主要内容，采取农户自评、村民互评、村委会审核的办法开展评选，有效激发了群众争当文明户的热情。"
     "（南湖县文明办）"),
    ("市交通运输局推进“文明出租车”创建。",
     "市交通运输局在全市出租汽车行业开展“文明出租车、文明驾驶员”创建活动，制定服务规范12条，设立投诉举报电话，"
     "对群众投诉集中的驾驶员进行约谈和培训。目前，全市已有1800余辆出租车张贴了文明创建标识。（市交通运输局）"),
    ("临江经济开发区“道德讲堂”走进企业。",
     "开发区党工委把“道德讲堂”开进企业车间，围绕诚信经营、爱岗敬业、安全生产等主题，邀请身边好人现身说法，"
     "已在区内28家规模以上企业举办道德讲堂45场，参与职工6000余人次。（开发区党工委宣传部）"),
    ("北山区组织“我们的节日·七夕”主题活动。",
     "8月23日前后，北山区各社区组织开展“我们的节日·七夕”主题活动，通过经典诵读、家风故事分享、金婚夫妇"
     "讲述婚恋观等形式，倡导健康文明的婚恋观和家庭观，引导居民传承中华优秀传统文化。（北山区文明办）"),
]

JIANXUN = [
    ("series", "工作动态", 48),
    ("centre", "第8期"),
    ("centre", "（总第156期）"),
    ("pubdate", "临江市文明办编", "2012年8月20日"),
    ("title", "各地精神文明建设工作简讯"),
] + [("runin", lead, rest) for lead, rest in JIANXUN_ITEMS] + [
    ("rule",),
    ("banji", "报：省文明办"),
    ("banji", "送：市文明委各成员单位"),
    ("banji", "发：各区、县（市）文明办"),
    ("rule",),
    ("printed", "临江市文明办", "2012年8月20日印发"),
]

JIANXUN_WEB_HEAD = [
    "[2012年第8期]《工作动态》",
    "来源：临江市文明办",
    "http://www.ljwm.gov.cn/gzdt/201208/t20120820_45213.html",
    "时间：2012-08-20 09:30",
    "各地精神文明建设工作简讯",
]

TONGBAO = [
    ("series", "临江市精神文明建设委员会办公室", 28),
    ("docno", "临文明办〔2020〕12号"),
    ("title", "关于2020年第一季度文明城市创建测评情况的通报"),
    ("salutation", "各区、县（市）文明办，市直各单位："),
    ("p", "为深入推进全国文明城市创建工作，按照《临江市2020年文明城市创建工作测评方案》要求，市文明办于3月中下旬"
          "组织第三方测评机构，对全市8个区、县（市）和56个市直单位第一季度文明城市创建工作进行了测评。现将有关情况"
          "通报如下："),
    ("h2", "一、总体情况"),
    ("p", "从测评结果看，各地各单位能够克服新冠肺炎疫情影响，统筹推进疫情防控和文明创建工作，全市第一季度测评"
          "平均得分为86.4分，较去年同期提高1.8分。其中，东城区、西湖区、市公安局、市住建局等单位得分位居前列，"
          "公共场所秩序、窗口单位服务、社区环境卫生等指标达标率均超过90%。"),
    ("h2", "二、存在问题"),
    ("p", "一是部分点位长效管理不到位。农贸市场、背街小巷、城乡结合部等点位不同程度存在占道经营、乱堆乱放、垃圾"
          "清运不及时等问题，实地考察点位合格率仅为78.5%。二是公益广告刊播不规范。部分区域公益广告数量不足、内容"
          "陈旧，个别点位存在破损、褪色现象。三是志愿服务常态化不够。部分社区志愿服务站点有牌子无活动，志愿者上岗率"
          "偏低，群众知晓率不高。"),
    ("h2", "三、工作要求"),
    ("p", "各地各单位要对照测评反馈的问题清单，逐项制定整改措施，明确责任人和整改时限，于4月30日前将整改情况"
          "书面报送市文明办。市文明办将适时组织“回头看”，对整改不力、问题反弹的单位予以通报批评，并在年度考核中"
          "予以扣分。"),
    ("blank",),
    ("attachment", "附件：1.第一季度测评得分排名表"),
    ("attachment", "2.第一季度测评问题清单"),
    ("blank",),
    ("blank",),
    ("sign", "临江市精神文明建设委员会办公室"),
    ("sign", "2020年4月10日"),
    ("blank",),
    ("rule",),
    ("banji", "抄送：市委宣传部，市文明委各成员单位。"),
    ("rule",),
    ("printed", "临江市精神文明建设委员会办公室", "2020年4月10日印发"),
]

RED_LIST = [
    ["序号", "单位", "综合得分", "主要亮点"],
    ["1", "东城区湖滨街道", "96.5", "背街小巷整治成效明显"],
    ["2", "西湖区北山街道", "95.8", "志愿服务常态化开展"],
    ["3", "东城区望江街道", "94.2", "农贸市场管理规范有序"],
    ["4", "南湖县城关镇", "93.7", "公益广告氛围浓厚"],
    ["5", "西湖区灵隐街道", "93.1", "“文明餐桌”行动有特色"],
]
BLACK_LIST = [
    ["序号", "单位", "综合得分", "主要问题"],
    ["1", "北山区江滨街道", "71.3", "占道经营问题反弹"],
    ["2", "南湖县新桥镇", "72.6", "生活垃圾清运不及时"],
    ["3", "东城区火车站街道", "74.0", "非机动车乱停乱放"],
    ["4", "北山区石桥街道", "75.4", "公益广告破损未及时更换，整改不彻底"],
]

HONGHEIBANG = [
    ("series", "创建全国文明城市工作简报", 36),
    ("centre", "第15期"),
    ("centre", "（总第73期）"),
    ("pubdate", "临江市创文办编", "2019年9月30日"),
    ("title", "9月份全市文明城市创建“红黑榜”"),
    ("p", "为进一步压实创建责任，营造比学赶超的浓厚氛围，市创文办根据9月份日常督查、暗访检查和市民投诉处理情况，"
          "对各街道（乡镇）文明城市创建工作进行了综合评价。经研究，现将9月份“红黑榜”发布如下。"),
    ("h2", "一、红榜"),
    ("p", "以下5个街道（乡镇）综合得分位列前五，予以通报表扬。"),
    ("table", RED_LIST, [14, 44, 26, 72]),
    ("h2", "二、黑榜"),
    ("p", "以下4个街道综合得分排名靠后或问题较为突出，予以通报批评。"),
    ("table", BLACK_LIST, [14, 44, 26, 72]),
    ("h2", "三、有关要求"),
    ("p", "上榜“红榜”的单位要总结经验、保持标准，充分发挥示范带动作用。上榜“黑榜”的单位要认真剖析原因，"
          "在10个工作日内向市创文办提交整改报告，整改情况将纳入下月测评。连续两个月上“黑榜”的，由市创文办约谈"
          "主要负责人；连续三个月上“黑榜”的，提请市文明委予以全市通报。"),
    ("blank",),
    ("rule",),
    ("banji", "报：市委、市政府领导，市创建全国文明城市工作指挥部领导"),
    ("banji", "送：市创建全国文明城市工作指挥部各成员单位"),
    ("banji", "发：各区、县（市）创文办，各街道（乡镇）"),
    ("rule",),
    ("printed", "临江市创文办", "2019年9月30日印发"),
]

TONGZHI = [
    ("series", "临江市精神文明建设委员会文件", 30),
    ("docno", "临文明委〔2021〕3号"),
    ("title", "关于印发《临江市2021年新时代文明实践工作要点》", 18),
    ("title", "的通知", 18),
    ("salutation", "各区、县（市）文明委，市文明委各成员单位："),
    ("p", "现将《临江市2021年新时代文明实践工作要点》印发给你们，请结合实际认真抓好贯彻落实。现就有关事项通知如下："),
    ("h2", "一、提高思想认识"),
    ("p", "2021年是中国共产党成立100周年，也是“十四五”开局之年。各地各单位要充分认识新时代文明实践工作的重要"
          "意义，把文明实践中心建设作为一项重要政治任务，摆上重要议事日程，切实加强组织领导，确保各项工作任务落到"
          "实处。"),
    ("h2", "二、突出工作重点"),
    ("p", "要围绕庆祝建党100周年，深入开展党史学习教育宣讲活动，组织理论宣讲志愿者深入基层开展宣讲2000场以上。"
          "要聚焦群众“急难愁盼”，持续深化“群众点单”服务，推动文明实践服务与基层治理深度融合。要加强志愿服务"
          "队伍建设，到年底全市实名注册志愿者占城镇常住人口比例达到15%以上。"),
    ("h2", "三、强化督促检查"),
    ("p", "市文明办将把新时代文明实践工作纳入全市精神文明建设年度考核，采取明察暗访、专项督查等方式，定期通报"
          "工作进展情况。各地各单位要于6月30日和12月10日前，分别将半年和全年工作总结报送市文明办。"),
    ("blank",),
    ("attachment", "附件：临江市2021年新时代文明实践工作要点"),
    ("blank",),
    ("blank",),
    ("sign", "临江市精神文明建设委员会"),
    ("sign", "2021年3月2日"),
    ("blank",),
    ("rule",),
    ("printed", "临江市精神文明建设委员会办公室", "2021年3月3日印发"),
    ("rule",),
]

# What a correct import gives, beyond what follows from the blocks (headings, paragraphs and tables are read
# off the blocks). Keys as in expected.yaml.
EXPECTED = {
    "jianbao": {
        "fields": {"title": "我市扎实推进新时代文明实践中心建设", "series": "精神文明建设简报",
                   "issue": 9, "serial": 186, "date": "2019-06-12", "publishers": ["临江市文明办"]},
        "distribution": {"report_to": ["省文明办", "市委、市人大、市政府、市政协领导"],
                         "send_to": ["市文明委各成员单位"],
                         "issue_to": ["各区、县（市）文明办", "市直各单位"]},
        "not_in_body": ["内部资料", "注意保存", "精神文明建设简报", "第9期", "总第186期", "临江市文明办编",
                        "报：省文明办", "送：市文明委各成员单位", "发：各区、县（市）文明办",
                        "2019年6月12日印发", "共印500份", "准印号", "临新出内准字", "责任编辑", "李晓红",
                        "投稿专用邮箱", "ljwmjb@163.com", "- 2 -", "- 3 -"],
        "stats_absent": ["2.3", "93.6", "97.8"],
    },
    "jianxun": {
        "fields": {"title": "各地精神文明建设工作简讯", "series": "工作动态", "issue": 8, "serial": 156,
                   "date": "2012-08-20", "publishers": ["临江市文明办"]},
        "distribution": {"report_to": ["省文明办"], "send_to": ["市文明委各成员单位"],
                         "issue_to": ["各区、县（市）文明办"]},
        "not_in_body": ["工作动态", "第8期", "总第156期", "临江市文明办编", "来源：", "www.ljwm.gov.cn",
                        "http", "时间：", "2012-08-20", "09:30", "报：省文明办", "2012年8月20日印发"],
        "stats_absent": ["8", "2012"],
        "variants": {"txt": {"fields": {"serial": None}, "distribution": {}}},
    },
    "tongbao": {
        "fields": {"title": "关于2020年第一季度文明城市创建测评情况的通报", "series": None, "issue": None,
                   "serial": None, "date": "2020-04-10", "publishers": ["临江市精神文明建设委员会办公室"]},
        "distribution": {"send_to": ["市委宣传部", "市文明委各成员单位"]},
        "not_in_body": ["临江市精神文明建设委员会办公室", "临文明办〔2020〕12号", "附件：", "第一季度测评得分排名表",
                        "第一季度测评问题清单", "2020年4月10日", "抄送", "印发"],
        "stats_absent": ["1.8", "90", "78.5"],
    },
    "hongheibang": {
        "fields": {"title": "9月份全市文明城市创建“红黑榜”", "series": "创建全国文明城市工作简报", "issue": 15,
                   "serial": 73, "date": "2019-09-30", "publishers": ["临江市创文办"]},
        "distribution": {"report_to": ["市委、市政府领导", "市创建全国文明城市工作指挥部领导"],
                         "send_to": ["市创建全国文明城市工作指挥部各成员单位"],
                         "issue_to": ["各区、县（市）创文办", "各街道（乡镇）"]},
        "not_in_body": ["创建全国文明城市工作简报", "第15期", "总第73期", "临江市创文办编", "2019年9月30日",
                        "报：市委", "送：市创建", "发：各区", "印发"],
        "stats_absent": ["10", "96.5", "71.3", "74.0"],
    },
    "tongzhi": {
        "fields": {"title": "关于印发《临江市2021年新时代文明实践工作要点》的通知", "series": None, "issue": None,
                   "serial": None, "date": "2021-03-02", "publishers": ["临江市精神文明建设委员会"]},
        "distribution": {},
        "not_in_body": ["临江市精神文明建设委员会", "临文明委〔2021〕3号", "附件：", "2021年3月2日",
                        "2021年3月3日印发", "的通知"],
        "stats_absent": ["15"],
    },
}

GENRES = {"jianbao": JIANBAO, "jianxun": JIANXUN, "tongbao": TONGBAO, "hongheibang": HONGHEIBANG, "tongzhi": TONGZHI}

# ---------------------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------------------

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
H2_FONT = "黑体"
H3_FONT = "楷体_GB2312"
TEXT_WIDTH_MM = 156
# Body paragraphs are left-aligned: justified, LibreOffice 7.4 leaves out a 、 that would end a full line.
BODY_ALIGN = WD_ALIGN_PARAGRAPH.LEFT  # A4 less 28 mm left and 26 mm right (GB/T 9704-2012)

# Children of w:pPr in schema order, to put w:pBdr where Word expects it.
PPR_ORDER = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
             "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
             "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
             "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
             "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"]


def insert_ppr_child(ppr, element):
    tag = element.tag
    names = [qn(name) for name in PPR_ORDER]
    later = names[names.index(tag) + 1:]
    for index, child in enumerate(ppr):
        if child.tag in later:
            ppr.insert(index, element)
            return
    ppr.append(element)


def bottom_border(paragraph, color="000000", size=8):
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), color)
    border.append(bottom)
    insert_ppr_child(ppr, border)


def run_font(run, east, size, bold=False, color=None):
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def fmt(paragraph, align=None, first_chars=0, size=16, line=28, before=0, after=0, left=0, right=0):
    pf = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line:
        pf.line_spacing = Pt(line)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if left:
        pf.left_indent = Pt(left)
    if right:
        pf.right_indent = Pt(right)
    if first_chars:
        pf.first_line_indent = Pt(size * first_chars)
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), str(first_chars * 100))


def add_text(doc, text, east=BODY_FONT, size=16, bold=False, color=None, **layout):
    paragraph = doc.add_paragraph()
    fmt(paragraph, size=size, **layout)
    if text:
        run_font(paragraph.add_run(text), east, size, bold, color)
    return paragraph


def add_two_sided(doc, left, right, size, indent_chars=1):
    """`left<TAB>right` with a right-aligned tab stop at the text edge."""
    paragraph = doc.add_paragraph()
    fmt(paragraph, size=size, line=28, left=size * indent_chars, right=size * indent_chars)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(2 * size * indent_chars),
                                                      WD_TAB_ALIGNMENT.RIGHT)
    run_font(paragraph.add_run(left + "\t" + right), BODY_FONT, size)
    return paragraph


def page_number_footer(section):
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def field_char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run_font(paragraph.add_run("- "), "宋体", 14)
    run = paragraph.add_run()
    run_font(run, "宋体", 14)
    run._r.append(field_char("begin"))
    run = paragraph.add_run()
    run_font(run, "宋体", 14)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    run = paragraph.add_run()
    run_font(run, "宋体", 14)
    run._r.append(field_char("separate"))
    run_font(paragraph.add_run("1"), "宋体", 14)
    run = paragraph.add_run()
    run_font(run, "宋体", 14)
    run._r.append(field_char("end"))
    run_font(paragraph.add_run(" -"), "宋体", 14)


def set_cell_text(cell, text, bold=False, east=BODY_FONT, size=14):
    cell.text = ""
    paragraph = cell.paragraphs[0]
    fmt(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, size=size, line=22)
    run_font(paragraph.add_run(text), east, size, bold)


def build_docx(blocks, path, author, created):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = "Times New Roman"
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    # No punctuation hanging into the right margin: LibreOffice 7.4 drops a hanging 、 from the PDF.
    overflow = OxmlElement("w:overflowPunct")
    overflow.set(qn("w:val"), "0")
    insert_ppr_child(normal.element.get_or_add_pPr(), overflow)
    doc.core_properties.author = author
    doc.core_properties.last_modified_by = author
    doc.core_properties.created = created
    doc.core_properties.modified = created
    doc.core_properties.revision = 1
    doc.core_properties.comments = ""
    page_number_footer(section)

    previous = None
    for block in blocks:
        kind = block[0]
        if kind == "confidential":
            add_text(doc, block[1], east=H2_FONT, size=14, align=WD_ALIGN_PARAGRAPH.LEFT, after=6)
        elif kind == "series":
            add_text(doc, block[1], east=TITLE_FONT, size=block[2], color="FF0000",
                     align=WD_ALIGN_PARAGRAPH.CENTER, line=0, before=12, after=12)
        elif kind == "centre":
            add_text(doc, block[1], size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "pubdate":
            paragraph = add_two_sided(doc, block[1], block[2], 16, indent_chars=0)
            paragraph.paragraph_format.space_before = Pt(12)
            bottom_border(paragraph, "FF0000", 18)
        elif kind == "docno":
            paragraph = add_text(doc, block[1], size=16, align=WD_ALIGN_PARAGRAPH.CENTER, before=24, after=0)
            bottom_border(paragraph, "FF0000", 18)
        elif kind == "title":
            size = block[2] if len(block) > 2 else 22
            add_text(doc, block[1], east=TITLE_FONT, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line=36, before=0 if previous == "title" else 18)
        elif kind == "salutation":
            add_text(doc, block[1], align=BODY_ALIGN, before=12)
        elif kind == "h2":
            paragraph = add_text(doc, block[1], east=H2_FONT, first_chars=2, align=BODY_ALIGN)
            paragraph.paragraph_format.keep_with_next = True
        elif kind == "h3":
            paragraph = add_text(doc, block[1], east=H3_FONT, bold=True, first_chars=2, align=BODY_ALIGN)
            paragraph.paragraph_format.keep_with_next = True
        elif kind == "p":
            add_text(doc, block[1], first_chars=2, align=BODY_ALIGN)
        elif kind == "runin":
            paragraph = add_text(doc, "", first_chars=2, align=BODY_ALIGN)
            run_font(paragraph.add_run(block[1]), H2_FONT, 16, bold=True)
            run_font(paragraph.add_run(block[2]), BODY_FONT, 16)
        elif kind == "table":
            rows, widths = block[1], block[2]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = doc.styles["Table Grid"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            for c, width in enumerate(widths):
                table.columns[c].width = Mm(width)
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.width = Mm(widths[c])
                    set_cell_text(cell, text, bold=(r == 0), east=H2_FONT if r == 0 else BODY_FONT)
            # header row repeats on a new page, as Word users set it
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            tr_pr.append(header)
        elif kind == "blank":
            add_text(doc, "")
        elif kind == "attachment":
            if block[1].startswith("附件"):
                add_text(doc, block[1], first_chars=2, align=WD_ALIGN_PARAGRAPH.LEFT)
            else:
                add_text(doc, block[1], left=16 * 5, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif kind == "sign":
            add_text(doc, block[1], align=WD_ALIGN_PARAGRAPH.RIGHT, right=16 * 2)
        elif kind == "rule":
            paragraph = add_text(doc, "", size=4, line=6)
            bottom_border(paragraph, "000000", 8)
        elif kind == "banji":
            add_text(doc, block[1], size=14, left=14, right=14, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif kind == "printed":
            add_two_sided(doc, block[1], block[2], 14)
        elif kind == "copies":
            add_text(doc, block[1], size=14, align=WD_ALIGN_PARAGRAPH.RIGHT, right=14)
        elif kind == "imprint":
            add_text(doc, block[1], size=10.5, line=16, align=WD_ALIGN_PARAGRAPH.LEFT, left=14)
        else:
            raise ValueError(kind)
        previous = kind
    doc.save(path)


# ---------------------------------------------------------------------------------------------------------
# PDF and text
# ---------------------------------------------------------------------------------------------------------

def run(args, **kw):
    return subprocess.run(args, check=True, **kw)


# The Windows fonts the DOCX names are not on Linux: fontconfig is told which installed font stands in for each
# (otherwise LibreOffice falls back to Noto Sans CJK JP, with Japanese glyph forms).
FONT_STAND_INS = {
    "仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC", "楷体_GB2312": "AR PL UKai CN",
    "楷体": "AR PL UKai CN", "Times New Roman": "Liberation Serif",
}


def fontconfig_file(folder):
    aliases = "".join(f"<alias binding=\"same\"><family>{name}</family><prefer><family>{stand_in}</family>"
                      f"<family>Noto Serif CJK SC</family></prefer></alias>\n" for name, stand_in in FONT_STAND_INS.items())
    path = os.path.join(folder, "fonts.conf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n"
                     "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n" + aliases + "</fontconfig>\n")
    return path


def docx_to_pdf(docx_path, profile):
    outdir = os.path.dirname(docx_path)
    env = dict(os.environ, FONTCONFIG_FILE=fontconfig_file(profile))
    run(["soffice", f"-env:UserInstallation=file://{profile}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", outdir, docx_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def pdftotext(pdf_path, first=None, last=None):
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return run(args + [pdf_path, "-"], stdout=subprocess.PIPE).stdout.decode("utf-8")


def check_pdf_text(blocks, pdf_path):
    """Every text of the bulletin is in the PDF's text, in order (LibreOffice has been seen to drop characters)."""
    flat = nospace(re.sub(r"-\s*\d+\s*-", "", pdftotext(pdf_path)))
    position = 0
    for block in blocks:
        texts = [cell for row in block[1] for cell in row] if block[0] == "table" else \
            [t for t in block[1:] if isinstance(t, str)]
        for text in texts:
            found = flat.find(nospace(text), position)
            if found < 0:
                raise SystemExit(f"{pdf_path}: the PDF's text lacks {text!r} (after offset {position})")
            position = found + len(nospace(text))


def web_text(blocks, head):
    """jianxun as copied from a web page: the page's masthead lines, then one paragraph per line."""
    lines = list(head)
    for block in blocks:
        if block[0] == "runin":
            lines.append(block[1] + block[2])
        elif block[0] in ("p", "salutation", "h2", "h3"):
            lines.append(block[1])
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# expected.yaml
# ---------------------------------------------------------------------------------------------------------

def nospace(text):
    return re.sub(r"\s+", "", text)


def opening(text):
    return nospace(text)[:12]


def derive(blocks):
    headings, run_in, paragraphs, tables = [], [], [], []
    for block in blocks:
        if block[0] == "h2":
            headings.append([2, block[1]])
        elif block[0] == "h3":
            headings.append([3, block[1]])
        elif block[0] in ("p", "salutation"):
            paragraphs.append(opening(block[1]))
        elif block[0] == "runin":
            run_in.append(block[1].rstrip("。"))
            paragraphs.append(opening(block[1] + block[2]))
        elif block[0] == "table":
            tables.append(block[1])
    return headings, run_in, paragraphs, tables


def q(value):
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def flow(items):
    return "[" + ", ".join(q(item) for item in items) + "]"


def yaml_fields(fields, indent):
    lines = []
    for key in ["title", "series", "issue", "serial", "date", "publishers"]:
        if key not in fields:
            continue
        value = fields[key]
        if key == "date" and value is not None:
            lines.append(f"{indent}{key}: {value}")
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: {flow(value)}")
        else:
            lines.append(f"{indent}{key}: {q(value)}")
    return lines


def yaml_distribution(distribution, indent):
    if not distribution:
        return [f"{indent}distribution: {{}}"]
    lines = [f"{indent}distribution:"]
    for key in ["report_to", "send_to", "issue_to"]:
        if key in distribution:
            lines.append(f"{indent}  {key}: {flow(distribution[key])}")
    return lines


def expected_yaml(name, spec, headings, run_in, paragraphs, tables, comment):
    out = [f"# {comment}", "# Made by make_fixtures.py; format read by scripts/import_check.py (see README.md)."]
    out.append("fields:")
    out += yaml_fields(spec["fields"], "  ")
    out += yaml_distribution(spec["distribution"], "")
    out.append("headings:" if headings else "headings: []")
    out += [f"  - [{level}, {q(text)}]" for level, text in headings]
    if run_in:
        out.append("run_in:")
        out += [f"  - {q(text)}" for text in run_in]
    out.append("paragraphs:" if paragraphs else "paragraphs: []")
    out += [f"  - {q(text)}" for text in paragraphs]
    out.append("not_in_body:")
    out += [f"  - {q(text)}" for text in spec["not_in_body"]]
    if tables:
        out.append("tables:")
        for table in tables:
            out.append("  - - " + flow(table[0]))
            out += ["    - " + flow(row) for row in table[1:]]
    out.append(f"stats_absent: {flow(spec['stats_absent'])}")
    if spec.get("variants"):
        out.append("variants:")
        for variant, override in spec["variants"].items():
            out.append(f"  {variant}:")
            if "fields" in override:
                out.append("    fields:")
                out += yaml_fields(override["fields"], "      ")
            if "distribution" in override:
                out += yaml_distribution(override["distribution"], "    ")
    return "\n".join(out) + "\n"


COMMENTS = {
    "jianbao": "简报 with full masthead, 一、/（一） headings with and without full stops, percentages, 版记 and imprint.",
    "jianxun": "简讯 compilation: bold run-in lead sentences, sources in brackets; source.txt is a web copy.",
    "tongbao": "通报: issuer and 文号 above the title, salutation, 附件, 落款 and 抄送.",
    "hongheibang": "红黑榜: two Word tables (红榜, 黑榜) inside a 简报 masthead.",
    "tongzhi": "通知: title on two lines, 文件 版头, 落款 date differs from the 印发 date.",
}


# ---------------------------------------------------------------------------------------------------------
# The scanned page
# ---------------------------------------------------------------------------------------------------------

def make_scanned(profile_unused=None):
    from PIL import Image, ImageChops, ImageFilter

    folder = os.path.join(HERE, "scanned")
    os.makedirs(folder, exist_ok=True)
    source_pdf = os.path.join(HERE, "jianbao", "source.pdf")
    with tempfile.TemporaryDirectory() as tmp:
        run(["pdftoppm", "-r", "300", "-gray", "-f", "1", "-l", "1", source_pdf, os.path.join(tmp, "page")])
        page = [f for f in os.listdir(tmp) if f.startswith("page")][0]
        image = Image.open(os.path.join(tmp, page)).convert("L")
    # paper a little grey, the scan tilted, some grain and softness
    image = image.point(lambda v: int(v * 0.93) + 6)
    image = image.rotate(0.4, resample=Image.BICUBIC, expand=False, fillcolor=243)
    rng = random.Random(305)
    noise = Image.frombytes("L", image.size, rng.randbytes(image.size[0] * image.size[1]))
    noise = noise.point(lambda v: 128 + (v - 128) // 10).filter(ImageFilter.GaussianBlur(0.7))
    image = ImageChops.add(image, noise, 1.0, -128)
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    target = os.path.join(folder, "source.pdf")
    for quality in (40, 32, 25, 20):
        buffer = io.BytesIO()
        image.save(buffer, "PDF", resolution=300, quality=quality)
        if buffer.tell() < 400_000:
            break
    with open(target, "wb") as handle:
        handle.write(buffer.getvalue())

    # truth: the body paragraphs (headings included) whose text is on page 1, the last one cut where the page ends
    page_text = pdftotext(source_pdf, 1)
    page_lines = [line for line in page_text.splitlines() if not re.fullmatch(r"\s*-\s*\d+\s*-\s*", line)]
    flat = nospace("".join(page_lines))
    body_blocks = [b for b in JIANBAO if b[0] in ("h2", "h3", "p")]
    truth, blocks_on_page = [], []
    for block in body_blocks:
        text = nospace(block[1])
        start = flat.find(text[:10])
        if start < 0:
            break
        visible = flat[start:start + len(text)]
        if visible == text:
            truth.append(block[1])
            blocks_on_page.append(block)
        else:
            assert text.startswith(visible), (visible, text)
            truth.append(visible)
            blocks_on_page.append((block[0], visible))
            break
    with open(os.path.join(folder, "truth.txt"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(truth) + "\n")

    headings, run_in, paragraphs, tables = derive(blocks_on_page)
    paragraphs = [p for p in paragraphs if len(p) == 12]
    spec = dict(EXPECTED["jianbao"])
    spec["distribution"] = {}
    spec["not_in_body"] = ["内部资料", "注意保存", "精神文明建设简报", "总第186期", "临江市文明办编", "- 1 -"]
    spec["stats_absent"] = [v for v in EXPECTED["jianbao"]["stats_absent"] if v in flat]
    with open(os.path.join(folder, "expected.yaml"), "w", encoding="utf-8") as handle:
        handle.write(expected_yaml("scanned", spec, headings, run_in, paragraphs, tables,
                                   "scanned: page 1 of jianbao/source.pdf as a 300 dpi greyscale scan, no text layer."))


# ---------------------------------------------------------------------------------------------------------

def make_genre(name, profile):
    blocks = GENRES[name]
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    spec = EXPECTED[name]
    created = datetime.datetime.fromisoformat(spec["fields"]["date"] + "T09:00:00")
    author = spec["fields"]["publishers"][0]
    docx_path = os.path.join(folder, "source.docx")
    build_docx(blocks, docx_path, author, created)
    docx_to_pdf(docx_path, profile)
    pdf_path = os.path.join(folder, "source.pdf")
    check_pdf_text(blocks, pdf_path)
    if name == "jianxun":
        text = web_text(blocks, JIANXUN_WEB_HEAD)
    else:
        text = pdftotext(pdf_path)
    with open(os.path.join(folder, "source.txt"), "w", encoding="utf-8") as handle:
        handle.write(text)
    headings, run_in, paragraphs, tables = derive(blocks)
    with open(os.path.join(folder, "expected.yaml"), "w", encoding="utf-8") as handle:
        handle.write(expected_yaml(name, spec, headings, run_in, paragraphs, tables, f"{name}: {COMMENTS[name]}"))


def main(argv):
    names = argv or list(GENRES) + ["scanned"]
    with tempfile.TemporaryDirectory() as profile:
        for name in names:
            if name == "scanned":
                make_scanned()
            else:
                make_genre(name, profile)
            print("made", name)


if __name__ == "__main__":
    main(sys.argv[1:])
