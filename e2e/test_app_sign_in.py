"""The elder signs in to the app on her phone (360×740) with a code sent by SMS: she types
her number, the console transport "sends" the code (read back from the delivery log, as the
SMS would be read on the phone), she types it and lands on the app's first screen."""

import json

import pytest

from kangyang.lib import crypto
from kangyang.notify.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def test_the_elder_signs_in_with_a_code_from_the_sms(app_phone, live_server, elder):
    page = app_phone
    page.goto(f"{live_server.url}/app/login/")
    send = page.get_by_role("button", name="给我发验证码")
    box = send.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the screen
    page.get_by_role("textbox", name="手机号码").fill("138 0791 1234")
    send.click()
    page.wait_for_url("**/app/login/code/")
    assert "138****1234" in page.locator("main").inner_text()

    delivery = Delivery.objects.get(template="sign_in.code")
    assert crypto.decrypt(delivery.address_encrypted) == "13807911234"
    code = json.loads(crypto.decrypt(delivery.context_encrypted))["code"]

    page.get_by_role("textbox", name="短信里的6位验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/app/")
    # Signed in as herself: her own page of the family in the app opens (it needs her account).
    page.goto(f"{live_server.url}/app/family/requests/")
    assert page.get_by_role("heading", name="我的家人").is_visible()
    assert "/login" not in page.url
