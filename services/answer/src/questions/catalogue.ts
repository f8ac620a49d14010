// The question catalogue. A family's question of day N is deterministic and does not
// repeat until the whole catalogue has been asked.
import { createHash } from 'node:crypto';

export interface CatalogueQuestion {
  text: { ko: string; en: string };
}

const q = (ko: string, en: string): CatalogueQuestion => ({ text: { ko, en } });

export const catalogue: readonly CatalogueQuestion[] = [
  q('오늘 가장 웃겼던 순간은 언제였나요?', 'What was the funniest moment of your day?'),
  q('요즘 가장 자주 듣는 노래는 무엇인가요?', 'Which song have you been listening to most lately?'),
  q('어렸을 때 가장 좋아했던 장난감은 무엇이었나요?', 'What was your favourite toy as a child?'),
  q('가족과 함께 꼭 가 보고 싶은 곳은 어디인가요?', 'Where would you most like to travel together as a family?'),
  q('오늘 누군가에게 고마웠던 일이 있나요?', 'Was there something someone did today that you are grateful for?'),
  q(
    '하루 동안 초능력을 가질 수 있다면 무엇을 고르겠어요?',
    'If you could have one superpower for a day, which would it be?',
  ),
  q('가장 좋아하는 음식과 그 이유는 무엇인가요?', 'What is your favourite food, and why?'),
  q('최근에 새로 배운 것이 있나요?', 'What is something new you learned recently?'),
  q('요즘 가장 걱정되는 일은 무엇인가요?', 'What has been worrying you lately?'),
  q('우리 가족만의 특별한 습관은 무엇이라고 생각하나요?', 'What do you think is a habit only our family has?'),
  q('10년 뒤의 나는 어떤 모습일까요?', 'What do you imagine you will be like in ten years?'),
  q('가장 기억에 남는 생일은 언제였나요?', 'Which birthday do you remember best?'),
  q('주말에 가장 하고 싶은 일은 무엇인가요?', 'What would you most like to do this weekend?'),
  q('나를 가장 잘 표현하는 단어 세 개는 무엇인가요?', 'Which three words describe you best?'),
  q(
    '최근에 읽거나 본 것 중 추천하고 싶은 것이 있나요?',
    'Is there something you read or watched recently that you would recommend?',
  ),
  q('가장 좋아하는 계절과 그 이유는 무엇인가요?', 'What is your favourite season, and why?'),
  q('오늘 나를 힘들게 한 일이 있었나요?', 'Was anything hard for you today?'),
  q('가족에게 배우고 싶은 것이 있나요?', 'Is there something you would like to learn from someone in the family?'),
  q('어릴 적 꿈은 무엇이었나요?', 'What did you dream of becoming when you were little?'),
  q('지금 당장 무엇이든 먹을 수 있다면 무엇을 먹고 싶나요?', 'If you could eat anything right now, what would it be?'),
  q('가장 용감했던 순간은 언제였나요?', 'When were you at your bravest?'),
  q('우리 집에서 가장 좋아하는 공간은 어디인가요?', 'Which place in our home do you like best?'),
  q('요즘 나를 가장 행복하게 하는 것은 무엇인가요?', 'What makes you happiest these days?'),
  q('동물이 될 수 있다면 어떤 동물이 되고 싶나요?', 'If you could be an animal, which one would you be?'),
  q('가장 친한 친구를 한 문장으로 소개해 주세요.', 'Describe your best friend in one sentence.'),
  q('오늘 하루를 날씨로 표현한다면?', 'If today were a kind of weather, what would it be?'),
  q('다시 가고 싶은 여행지는 어디인가요?', 'Which trip would you like to take again?'),
  q(
    '가족에게 아직 말하지 않은 비밀 하나를 알려 주세요.',
    'Tell us one small secret you have never shared with the family.',
  ),
  q('가장 좋아하는 영화나 만화는 무엇인가요?', 'What is your favourite film or cartoon?'),
  q('요즘 도전해 보고 싶은 일이 있나요?', 'Is there a challenge you would like to try lately?'),
  q('나만의 스트레스 해소법은 무엇인가요?', 'How do you relieve stress?'),
  q('가장 자랑스러웠던 순간은 언제였나요?', 'When did you feel proudest of yourself?'),
  q('시간 여행을 할 수 있다면 언제로 가고 싶나요?', 'If you could travel in time, when would you go?'),
  q('우리 가족을 색깔로 표현한다면 무슨 색일까요?', 'If our family were a colour, which would it be?'),
  q('가장 좋아하는 명절 음식은 무엇인가요?', 'What is your favourite holiday dish?'),
  q('오늘 스스로 칭찬하고 싶은 일이 있나요?', 'What would you like to praise yourself for today?'),
  q('복권에 당첨된다면 가장 먼저 무엇을 하겠어요?', 'If you won the lottery, what would you do first?'),
  q('요즘 가장 많이 쓰는 앱은 무엇인가요?', 'Which app do you use most these days?'),
  q('가족과 함께한 가장 따뜻한 기억은 무엇인가요?', 'What is your warmest memory with the family?'),
  q(
    '하루가 25시간이라면 남는 한 시간에 무엇을 하겠어요?',
    'If a day had 25 hours, what would you do with the extra hour?',
  ),
  q('가장 좋아하는 간식은 무엇인가요?', 'What is your favourite snack?'),
  q('누군가에게 들었던 최고의 조언은 무엇인가요?', 'What is the best advice anyone has given you?'),
  q('내가 가장 잘하는 요리나 만들 수 있는 것은?', 'What is something you can cook or make really well?'),
  q('가장 무서웠던 경험은 무엇인가요?', 'What is the scariest thing that has happened to you?'),
  q('우리 가족의 가훈을 새로 만든다면?', 'If we made a new family motto, what would it be?'),
  q('지금 가장 갖고 싶은 물건은 무엇인가요?', 'What would you most like to have right now?'),
  q('요즘 새로 생긴 관심사가 있나요?', 'Have you picked up any new interests lately?'),
  q('가장 좋아하는 날씨는 어떤 날씨인가요?', 'What kind of weather do you like best?'),
  q('오늘 가장 맛있게 먹은 것은 무엇인가요?', 'What was the tastiest thing you ate today?'),
  q('가족 중 누구와 더 많은 시간을 보내고 싶나요?', 'Who in the family would you like to spend more time with?'),
  q('내 방에서 가장 소중한 물건은 무엇인가요?', 'What is the most precious thing in your room?'),
  q('한 가지 규칙을 바꿀 수 있다면 무엇을 바꾸겠어요?', 'If you could change one rule, which would it be?'),
  q('가장 기억에 남는 선생님은 누구인가요?', 'Which teacher do you remember most?'),
  q('올해가 끝나기 전에 꼭 하고 싶은 일은?', 'What do you want to do before the year ends?'),
  q('최근에 누군가를 도와준 적이 있나요?', 'Have you helped someone recently?'),
  q('가장 좋아하는 노래 가사 한 줄을 알려 주세요.', 'Share one line from a song lyric you love.'),
  q('나에게 완벽한 하루는 어떤 모습인가요?', 'What does a perfect day look like for you?'),
  q('가족에게 지금 하고 싶은 말이 있나요?', 'Is there something you would like to tell the family right now?'),
  q('어떤 소리를 들으면 마음이 편안해지나요?', 'Which sound makes you feel calm?'),
  q('오늘 하루 점수를 매긴다면 몇 점인가요? 왜 그런가요?', 'What score would you give today out of ten, and why?'),
  q('가장 좋아하는 놀이나 게임은 무엇인가요?', 'What is your favourite game to play?'),
  q(
    '어른이 되면 꼭 해 보고 싶은 일은? (어른이라면, 어릴 때 그랬던 일은?)',
    'What do you want to do when you grow up? (Grown-ups: what did you want then?)',
  ),
];

/**
 * The family's question of day `day` (0 for its first question). Each family starts at
 * its own place in the catalogue and walks it in order, so the whole catalogue is asked
 * before any question comes back.
 */
export function questionForDay(familyId: string, day: number): CatalogueQuestion {
  const offset = createHash('sha256').update(familyId).digest().readUInt32BE(0);
  const question = catalogue[(offset + day) % catalogue.length];
  if (!question) throw new Error('the question catalogue is empty');
  return question;
}
