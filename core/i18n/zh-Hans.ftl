# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = 您的号码
ticket-wait-here = 请在这里等候，不要离开这个区域。
ticket-watch-board = 请看屏幕，找您的号码。
ticket-go-to-counter = 看到您的号码后，请去屏幕上显示的窗口。
ticket-keep-ticket = 请保管好这张号票，不要丢失。
ticket-ask-officer = 有问题请问工作人员。
ticket-party-size = 您这一组的人数：{ $count }
ticket-estimate = 预计叫号时间：{ $earliest } 至 { $latest }
ticket-interpreter = 请向工作人员要求翻译。
ticket-scan-status = 扫描二维码，查看您的排队位置。

## Public status page

status-your-ticket = 您的号票
status-status = 状态
status-waiting = 等候中
status-called = 已叫号：请去 { $counter } 号窗口
status-served = 已办理
status-no-show = 已过号
status-withdrawn = 已取消
status-people-before-you = 您前面的人数
status-estimated-call-time = 预计叫号时间
status-between = { $earliest } 至 { $latest }
status-no-counter = 目前没有开放的窗口
status-beyond-estimate = 您排在队的后面：现在还不能预计时间。请过一会再看。
status-auto-refresh = 本页面会自动更新；重新加载可查看最新信息。
status-language = 语言

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = 正在办理
board-counter = 窗口
board-next = 即将叫号
board-announce = 请 { $ticket } 号到 { $counter } 号窗口
board-number = 号码

## Status page: stopping and restarting its own reloads

status-stop-updating = 停止自动更新
status-keep-updating = 每 30 秒自动更新

## Public error pages (with the "ask an officer" pictogram)

error-not-found = 此地址没有内容。如果您扫描的是号票，请问工作人员。
error-failed = 出了点问题。请一分钟后再试，或问工作人员。

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = { $port } 的号码 { $ticket }。查看您的排队位置：{ $link }
sms-near = 号码 { $ticket }：您前面大约还有 { $ahead } 人。请现在回到等候区。
sms-called = 号码 { $ticket }：请现在去 { $counter } 号窗口。

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = 朗读
status-listen-stop = 停止
status-listen-no-voice = 这部手机没有{ $language }的语音。请用其他语言收听：
status-listen-unavailable = 这部手机不能朗读这个页面。
listen-digits = 零, 一, 二, 三, 四, 五, 六, 七, 八, 九

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = 声音
board-voice = 语音
board-no-voice = 无语音，仅提示音
