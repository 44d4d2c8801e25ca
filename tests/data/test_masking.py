from copilot.data.masking import mask_name, mask_phone


def test_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+8613812341234") == "+86*******1234"
    assert mask_phone("1234567") == "***4567"
    assert mask_phone("123") == "***"
    assert mask_phone(None) is None and mask_phone("") == ""


def test_name_keeps_first_character_only() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张") == "张*"
    assert mask_name(" Jane ") == "J***"
    assert mask_name(None) is None
