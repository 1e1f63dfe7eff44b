# source: drafted for portqueue by the development team (Modern Standard Arabic); not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = رقمك
ticket-wait-here = انتظر هنا. لا تغادر هذه المنطقة.
ticket-watch-board = راقب الشاشة. ابحث عن رقمك.
ticket-go-to-counter = عندما ترى رقمك، اذهب إلى الشباك المكتوب بجانبه.
ticket-keep-ticket = احتفظ بهذه التذكرة. لا تفقدها.
ticket-ask-officer = هل لديك سؤال؟ اسأل أحد الموظفين.
ticket-party-size = عدد الأشخاص في مجموعتك: { $count }
ticket-estimate = الوقت المتوقع للمناداة: بين { $earliest } و { $latest }
ticket-interpreter = من فضلك اطلب مترجمًا من أحد الموظفين.
ticket-scan-status = امسح الرمز لمعرفة دورك في الطابور.

## Public status page

status-your-ticket = تذكرتك
status-status = الحالة
status-waiting = في الانتظار
status-called = تمت مناداتك: اذهب إلى الشباك { $counter }
status-served = تمت خدمتك
status-no-show = لم تحضر عند المناداة
status-withdrawn = تم سحب التذكرة
status-people-before-you = عدد الأشخاص قبلك
status-estimated-call-time = الوقت المتوقع للمناداة
status-between = بين { $earliest } و { $latest }
status-no-counter = لا يوجد شباك مفتوح الآن
status-beyond-estimate = أنت بعيد في الصف: لا يمكن إعطاء وقت الآن. انظر مرة أخرى لاحقًا.
status-auto-refresh = تُحدَّث هذه الصفحة تلقائيًا؛ أعد تحميلها لترى آخر المعلومات.
status-language = اللغة

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = الأرقام المنادى عليها الآن
board-counter = الشباك
board-next = التالي
board-announce = التذكرة { $ticket }، الشباك { $counter }
board-number = الرقم

## Status page: stopping and restarting its own reloads

status-stop-updating = أوقف التحديث التلقائي
status-keep-updating = حدّث الصفحة تلقائيًا كل 30 ثانية

## Public error pages (with the "ask an officer" pictogram)

error-not-found = لا يوجد شيء في هذا العنوان. إذا مسحت رمز تذكرتك، اسأل أحد الموظفين.
error-failed = حدث خطأ. حاول مرة أخرى بعد دقيقة، أو اسأل أحد الموظفين.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = الرقم { $ticket } في { $port }. اعرف مكانك في الطابور: { $link }
sms-near = الرقم { $ticket }: أمامك حوالي { $ahead }. عد الآن إلى منطقة الانتظار.
sms-called = الرقم { $ticket }: اذهب الآن إلى الشباك { $counter }.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = استمع
status-listen-stop = إيقاف
status-listen-no-voice = لا يوجد في هذا الهاتف صوت للغة { $language }. استمع بلغة أخرى:
status-listen-unavailable = لا يستطيع هذا الهاتف قراءة هذه الصفحة بصوت عالٍ.
listen-digits = صفر، واحد، اثنان، ثلاثة، أربعة، خمسة، ستة، سبعة، ثمانية، تسعة

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = الصوت
board-voice = النطق
board-no-voice = لا نطق، نغمة تنبيه فقط
