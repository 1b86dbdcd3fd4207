"""What simulated participants write to open questions, in English and Chinese."""

# Open answers are three phrases: a stance, a core idea, an afterthought (which may be empty).
PHRASES = {
    "en": {
        "follower": (
            ["Followers, because", "I'd rather have followers:", "Followers. In my experience",
             "Followers, no question;", "Honestly followers, since", "I picked followers because",
             "Subordinates at first, because", "I chose subordinates:"],
            ["people who believe in the goal do more than what they are told",
             "followers stay when things get hard, subordinates just comply",
             "a follower chooses to come with you, a subordinate has to",
             "you cannot order someone to care about the customer",
             "trust makes the team faster than any process",
             "the title only gives you subordinates; followers you have to earn",
             "a new team needs clear roles before it can have real followers",
             "followers give you their ideas, not just their hours"],
            ["", ".", " and that is what a new leader needs.", " and it shows in the results.",
             "; the difference is trust.", " - it is about earning respect."]),
        "process": (
            ["Because", "Process matters since", "In my view", "I think", "Without process",
             "We learned the hard way that", "For me"],
            ["a result without a good process cannot be repeated",
             "the process is where people learn and grow",
             "good results from a bad process hide problems that come back later",
             "the way we reach the result shapes the team's culture",
             "process protects the customer when the pressure is high",
             "it lets new people do the work without guessing",
             "you can only improve what you can see, and the process makes it visible"],
            ["", ".", " - shortcuts cost more later.", " and it keeps the team honest.",
             "; results follow a healthy process."]),
        "leader": (
            ["I want to be", "I'd like to become", "My goal is to be", "Someone my team sees as",
             "I hope to be", "Honestly,"],
            ["a leader who helps people grow beyond what they thought they could do",
             "a leader people trust to tell them the truth early",
             "a coach more than a boss", "calm in a crisis and clear about the goal",
             "the kind of leader who makes others successful",
             "someone who listens first and decides firmly",
             "a leader who builds the team and then gets out of its way"],
            ["", ".", " - and still deliver results.", ", even when it is hard.",
             "; that is what my best manager did for me."]),
        "generic": (
            ["I think", "For me,", "In my team,", "My answer:", "Honestly,"],
            ["it comes down to {term}", "{term} matters more than we admit",
             "we should talk about {term} more often", "the real issue is {term}",
             "{term} is where a leader makes the difference"],
            ["", ".", " - and trust.", " and clear goals."]),
    },
    "zh": {
        "follower": (
            ["追随者，因为", "我选追随者：", "我更希望有追随者，", "我选了下属，因为", "说实话是追随者，"],
            ["认同目标的人会主动多做一步", "困难的时候追随者会留下来，下属只是服从",
             "追随者是自愿跟你走的，下属是不得不", "你不能命令一个人真心关心客户",
             "信任比任何流程都让团队更快", "职位只能给你下属，追随者要靠自己赢得",
             "新团队先要有清楚的分工，之后才有真正的追随者"],
            ["", "。", "，这正是新管理者需要的。", "，区别在于信任。", "，结果会说明一切。"]),
        "process": (
            ["因为", "我认为", "没有过程的话，", "我们吃过亏：", "在我看来，"],
            ["没有好过程的结果无法复制", "人是在过程中学习和成长的",
             "坏过程得到的好结果会掩盖问题，以后还会出现", "达成结果的方式决定了团队文化",
             "压力大的时候，过程能保护客户", "过程让新人不用靠猜来做事"],
            ["", "。", "，走捷径以后代价更大。", "，过程健康，结果自然会来。"]),
        "leader": (
            ["我想成为", "我希望成为", "我的目标是成为", "我想做"],
            ["能帮助别人成长、超越自己的领导者", "团队信得过、会早点说真话的领导者",
             "更像教练而不是老板的人", "危机中冷静、目标清楚的领导者",
             "让别人成功的领导者", "先倾听、再果断决定的人"],
            ["", "。", "，同时也能拿到结果。", "，即使很难也要坚持。"]),
        "generic": (
            ["我觉得", "对我来说，", "在我的团队里，", "我的回答："],
            ["{term}是关键", "{term}比我们想的更重要", "我们应该多谈谈{term}"],
            ["", "。", "，还有信任。"]),
    },
}
TOPICS = {"follower": ("follower", "subordinate", "追随", "下属"),
          "process": ("process", "过程", "流程"), "leader": ("leader", "领导")}
