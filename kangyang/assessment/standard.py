"""GB/T 42195-2022 《老年人能力评估规范》: the 26 items, their options, and the levels.

Item codes, point ranges, dimensions, level bands (Annex C.3) and change rules (C.4, C.5)
follow shared/spec/assessment-gbt42195.md, which summarises the standard. The Chinese
option wording is the standard's Annex B as assessors read it aloud, transcribed for this
project; the English is our translation. Check it against the official text before
relying on a sentence, not only on the points.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STANDARD = "GB/T 42195-2022"
PREVIOUS_STANDARD = "MZ/T 039-2013"


@dataclass(frozen=True)
class Option:
    points: int
    zh: str
    en: str


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str
    zh: str
    en: str
    options: tuple[Option, ...]

    @property
    def max_points(self) -> int:
        return max(o.points for o in self.options)

    def option(self, points: int) -> Option | None:
        return next((o for o in self.options if o.points == points), None)


# The generic five-step scale used by eight items ("AS5" in the spec).
AS5 = (
    Option(4, "独立完成，不需要协助", "does it alone, no help needed"),
    Option(3, "在他人指导或提示下完成", "does it with prompting or supervision"),
    Option(2, "需要他人协助，但以自身完成为主", "needs help but does most of it"),
    Option(1, "主要依靠他人协助，自身能给予配合", "mostly dependent on others, cooperates"),
    Option(0, "完全依赖他人协助，且不能给予配合", "fully dependent, cannot cooperate"),
)

DIMENSIONS = {
    "self_care": (_("self-care"), "自理能力"),
    "motor": (_("basic motor ability"), "基础运动能力"),
    "mental": (_("mental state"), "精神状态"),
    "perception_social": (_("perception and social participation"), "感知觉与社会参与"),
}


def _item(code, dimension, zh, en, *options):
    return Item(code, dimension, zh, en, tuple(options) if options else AS5)


ITEMS: tuple[Item, ...] = (
    _item("B.1.1", "self_care", "进食", "eating",
          Option(4, "独立使用器具将食物送进口中并咽下，没有呛咳", "uses utensils alone, swallows, no choking"),
          Option(3, "在他人指导或提示下完成，或独立使用辅具，没有呛咳", "with prompting, or alone with aids; no choking"),
          Option(2, "进食中需要少量接触式协助，偶尔（每月一次及以上）呛咳", "needs a little hands-on help; chokes occasionally (monthly or more)"),
          Option(1, "在进食中需要大量接触式协助，经常（每周一次及以上）呛咳", "needs much hands-on help; chokes often (weekly or more)"),
          Option(0, "完全依赖他人协助进食，或吞咽困难，或留置营养管", "fully fed by others, or cannot swallow, or tube-fed")),
    _item("B.1.2", "self_care", "修饰", "grooming"),
    _item("B.1.3", "self_care", "洗澡", "bathing"),
    _item("B.1.4", "self_care", "穿/脱上衣", "dressing, upper body"),
    _item("B.1.5", "self_care", "穿/脱裤子和鞋袜", "dressing, lower body, shoes and socks"),
    _item("B.1.6", "self_care", "小便控制", "bladder control",
          Option(4, "可自行控制排尿，排尿次数、排尿控制均正常", "controls urination; frequency and control normal"),
          Option(3, "白天可自行控制排尿次数，夜间出现排尿次数增多、排尿控制较差，或自行使用尿布、尿垫等辅助用物", "controls by day; more frequent or poorer control at night, or uses pads alone"),
          Option(2, "白天大部分时间可自行控制排尿，偶出现（每天<1次，但每周>1次）尿失禁，夜间控制排尿较差，或他人少量协助使用尿布、尿垫等辅助用物", "mostly controls by day, occasional incontinence (<1/day, >1/week), poor at night, or a little help with pads"),
          Option(1, "白天大部分时间不能控制排尿（每天≥1次，但尚非完全失控），夜间出现尿失禁，或他人大量协助使用尿布、尿垫等辅助用物", "mostly no control by day (≥1/day), incontinent at night, or much help with pads"),
          Option(0, "小便失禁，完全不能控制排尿，或留置导尿管", "incontinent, no control, or indwelling catheter")),
    _item("B.1.7", "self_care", "大便控制", "bowel control",
          Option(4, "可正常自行控制大便排出", "controls bowel movements normally"),
          Option(3, "有时出现（每周<1次）便秘或大便失禁，或自行使用开塞露、尿垫等辅助用物", "sometimes (<1/week) constipated or incontinent, or uses aids alone"),
          Option(2, "经常出现（每天<1次，但每周>1次）便秘或大便失禁，或他人少量协助使用开塞露、尿垫等辅助用物", "often (<1/day, >1/week) constipated or incontinent, or a little help with aids"),
          Option(1, "大部分时间均出现（每天≥1次）便秘或大便失禁，但尚非完全失控，或他人大量协助使用开塞露、尿垫等辅助用物", "most of the time (≥1/day), not fully uncontrolled, or much help with aids"),
          Option(0, "严重便秘或者完全大便失禁，需要依赖他人协助排便或清洁皮肤", "severe constipation or complete incontinence; depends on others")),
    _item("B.1.8", "self_care", "如厕", "toileting"),
    _item("B.2.1", "motor", "床上体位转移", "turning and sitting up in bed"),
    _item("B.2.2", "motor", "床椅转移", "bed–chair transfer"),
    _item("B.2.3", "motor", "平地行走", "walking on level ground (about 50 m)",
          Option(4, "独立平地步行50 m左右，不需要协助，无摔倒风险", "walks about 50 m alone, no help, no risk of falling"),
          Option(3, "能平地步行50 m左右，存在摔倒风险，需要他人监护或指导，或使用拐杖、助行器等辅助工具", "walks about 50 m with a risk of falling, needs supervision or a stick/walker"),
          Option(2, "在步行时需要他人少量扶持协助", "needs a little physical support when walking"),
          Option(1, "在步行时需要他人大量扶持协助", "needs much physical support when walking"),
          Option(0, "完全不能步行", "cannot walk")),
    _item("B.2.4", "motor", "上下楼梯", "stairs (10–15 steps)",
          Option(3, "可独立上下楼梯（连续上下10个～15个台阶），不需要协助", "climbs 10–15 steps alone"),
          Option(2, "在他人指导或提示下完成", "with prompting or supervision"),
          Option(1, "需要他人协助，但以自身完成为主", "needs help but does most of it"),
          Option(0, "主要依靠他人协助，自身能给予配合；或者完全依赖他人协助，且不能给予配合", "mostly or fully dependent on others")),
    _item("B.3.1", "mental", "时间定向", "time orientation",
          Option(4, "时间观念（年、月）清楚，日期（或星期几）可相差一天", "knows year and month; date or weekday off by at most one day"),
          Option(3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）", "somewhat reduced; off by two days or more"),
          Option(2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节", "poor; knows only the half-year or season"),
          Option(1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间", "very poor; knows only morning/afternoon or day/night"),
          Option(0, "无时间观念", "no sense of time")),
    _item("B.3.2", "mental", "空间定向", "place orientation",
          Option(4, "能在日常生活范围内单独外出，如在日常居住小区内独自外出购物等", "goes out alone within daily surroundings, e.g. shopping in the compound"),
          Option(3, "不能单独外出，但能准确知道自己日常生活所在地的地址信息", "does not go out alone but knows their address exactly"),
          Option(2, "不能单独外出，但知道较多有关自己日常生活的地址信息", "does not go out alone; knows much about where they live"),
          Option(1, "不能单独外出，但知道较少自己居住或生活所在地的地址信息", "does not go out alone; knows little about where they live"),
          Option(0, "不能单独外出，无空间观念", "does not go out alone; no sense of place")),
    _item("B.3.3", "mental", "人物定向", "person orientation",
          Option(4, "认识长期共同一起生活的人，能称呼并知道关系", "knows the people they live with, names them and the relationship"),
          Option(3, "能认识大部分共同生活居住的人，能称呼或知道关系", "knows most of them, names them or the relationship"),
          Option(2, "能认识部分日常同住的亲人或照护者等，能称呼或知道关系等", "knows some relatives or carers they live with"),
          Option(1, "只认识自己或极少数日常同住的亲人或照护者等", "knows only themselves or very few"),
          Option(0, "不认识任何人（包括自己）", "knows nobody, not even themselves")),
    _item("B.3.4", "mental", "记忆", "memory",
          Option(4, "总是能保持与社会、年龄所适应的记忆能力，能完整的回忆", "memory fitting their age; recalls fully"),
          Option(3, "出现轻度的记忆紊乱或回忆不能（不能回忆即时信息，3个词语经过5分钟后仅能回忆0个～1个）", "mild disorder: recalls 0–1 of 3 words after 5 minutes"),
          Option(2, "出现中度的记忆紊乱或回忆不能（不能回忆近期记忆，不记得上一顿饭吃了什么）", "moderate: cannot recall recent events, e.g. the last meal"),
          Option(1, "出现重度的记忆紊乱或回忆不能（不能回忆远期记忆，不记得自己的老朋友）", "severe: cannot recall the distant past, e.g. old friends"),
          Option(0, "记忆完全紊乱或者完全不能对既往事物进行正确的回忆", "memory wholly disordered")),
    _item("B.3.5", "mental", "理解能力", "comprehension",
          Option(4, "能正常理解他人的话", "understands others normally"),
          Option(3, "能理解他人的话，但需要增加时间", "understands, given more time"),
          Option(2, "理解有困难，需频繁重复或简化口头表达", "has difficulty; needs repetition or simpler words"),
          Option(1, "理解有严重困难，需要大量他人帮助", "has severe difficulty; needs much help"),
          Option(0, "完全不能理解他人的话", "cannot understand others")),
    _item("B.3.6", "mental", "表达能力", "expression",
          Option(4, "能正常表达自己的想法", "expresses thoughts normally"),
          Option(3, "能表达自己的需要，但需要增加时间", "expresses needs, given more time"),
          Option(2, "表达需要有困难，需频繁重复或简化口头表达", "has difficulty; needs repetition or simpler words"),
          Option(1, "表达有严重困难，需要大量他人帮助", "has severe difficulty; needs much help"),
          Option(0, "完全不能表达需要", "cannot express needs")),
    _item("B.3.7", "mental", "攻击行为", "aggressive behaviour (past month)",
          Option(1, "未出现", "none"),
          Option(0, "近一个月内出现过攻击行为", "aggressive behaviour in the past month")),
    _item("B.3.8", "mental", "抑郁症状", "depressive symptoms (past month)",
          Option(1, "未出现", "none"),
          Option(0, "近一个月内出现过负性情绪", "negative mood in the past month")),
    _item("B.3.9", "mental", "意识水平", "consciousness",
          Option(2, "神志清醒，对周围环境能做出正确反应", "alert, responds correctly to surroundings"),
          Option(1, "嗜睡或意识模糊：可被唤醒并正确交谈，停止刺激后又入睡；或注意力涣散、定向力障碍、理解迟钝", "drowsy or confused: can be woken and talk, or disoriented and slow"),
          Option(0, "昏睡或昏迷：一般刺激不能觉醒，或意识丧失、呼之不应", "stupor or coma: not woken by ordinary stimuli")),
    _item("B.4.1", "perception_social", "视力", "vision",
          Option(2, "视力正常", "normal"),
          Option(1, "能看清楚大字体，但看不清书报上的标准字体；视力有限，看不清报纸大标题，但能辨认物体", "reads large print only, or only recognises objects"),
          Option(0, "只能看到光、颜色和形状；完全失明", "sees only light, colour and shape; or blind")),
    _item("B.4.2", "perception_social", "听力", "hearing",
          Option(2, "听力正常", "normal"),
          Option(1, "在轻声说话或说话距离超过2 m时听不清；正常交流有些困难，需在安静的环境或大声说话才能听到", "misses soft speech or speech beyond 2 m; needs quiet or loud speech"),
          Option(0, "讲话者大声说话或说话很慢，才能部分听见；完全失聪", "hears partly only loud, slow speech; or deaf")),
    _item("B.4.3", "perception_social", "执行日常事务", "managing daily affairs",
          Option(4, "能完全独立计划、安排和完成日常事务，无需协助", "plans and does daily affairs alone"),
          Option(3, "在计划、安排和完成日常事务时需要他人监护或指导", "needs supervision or guidance"),
          Option(2, "在计划、安排和完成日常事务时需要少量协助", "needs a little help"),
          Option(1, "在计划、安排和完成日常事务时需要大量协助", "needs much help"),
          Option(0, "完全依赖他人进行日常事务", "fully dependent")),
    _item("B.4.4", "perception_social", "使用交通工具外出", "going out by transport",
          Option(3, "能自己骑车或搭乘公共交通工具外出", "rides a bicycle or takes public transport alone"),
          Option(2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出", "takes a taxi alone, not other public transport"),
          Option(1, "当有人协助或陪伴，可搭乘公共交通工具外出", "takes public transport when accompanied"),
          Option(0, "只能在他人协助下搭乘出租车或私家车外出；完全不能出门，或者外出完全需要协助", "only by taxi or car with help; or cannot go out")),
    _item("B.4.5", "perception_social", "社会交往能力", "social interaction",
          Option(4, "参与社会，在社会环境有一定的适应能力，待人接物恰当", "takes part in society, adapts, behaves appropriately"),
          Option(3, "能适应单纯环境，主动接触他人，初见面时难让人发现智力问题，不能理解隐喻语", "adapts to simple settings, approaches others; misses metaphors"),
          Option(2, "脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗", "withdrawn, passive contact, inappropriate words, easily deceived"),
          Option(1, "勉强可与他人接触，谈吐内容不清楚，表情不恰当", "barely makes contact; unclear speech, inappropriate expression"),
          Option(0, "不能与人交往", "cannot interact with others")),
)
ITEMS_BY_CODE = {item.code: item for item in ITEMS}

# Annex C.3: preliminary level from the total (lowest total of each band).
LEVEL_BANDS = ((90, 0), (66, 1), (46, 2), (30, 3), (0, 4))
LEVEL_NAMES = {
    0: (_("intact"), "能力完好"),
    1: (_("mild loss"), "轻度失能"),
    2: (_("moderate loss"), "中度失能"),
    3: (_("severe loss"), "重度失能"),
    4: (_("complete loss"), "完全失能"),
}
MAX_LEVEL = 4

# Annex A.2.14 care-risk events in the last 30 days.
RISK_EVENTS = {
    "fall": (_("fall"), "跌倒"),
    "lost": (_("getting lost"), "走失"),
    "choking": (_("choking"), "噎食"),
    "self_harm": (_("suicide or self-harm"), "自杀、自伤"),
    "other": (_("other"), "其他"),
}
